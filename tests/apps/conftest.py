"""Fixtures for the live apps' tests: a real store on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from peercare.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'sessions.sqlite'}")
    else:
        s = Store(request.getfixturevalue("postgres").new_database())
    yield s
    s.close()
