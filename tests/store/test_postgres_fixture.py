"""The PostgreSQL test server: when it cannot start, the tests fail saying why (no skip)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..postgres import PostgresServer


def test_a_server_that_cannot_start_fails_the_tests_with_the_reason():
    server = PostgresServer(Path("/nonexistent/postgresql/bin"))
    with pytest.raises(pytest.fail.Exception, match="initdb failed") as caught:
        server.start()
    assert "the store tests need a real PostgreSQL server" in str(caught.value)
    assert not server.base.exists()  # cleaned up


def test_the_server_runs_on_loopback(postgres):
    assert postgres.url().startswith("postgresql+psycopg://postgres@127.0.0.1:")
