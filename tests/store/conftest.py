"""Every store test runs twice: on a fresh SQLite file and on a fresh PostgreSQL database.

PostgreSQL is Debian's server (``apt-get install postgresql``; .ci/run installs it),
started once per test run on 127.0.0.1 with a throwaway cluster in a temporary folder and
stopped afterwards. As root it runs as the ``postgres`` user. When it cannot start, the
PostgreSQL tests FAIL with the reason (they are never skipped).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from peercare.store import Store

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_template(postgres) -> str:
    """A migrated database that each test's database is copied from (fast)."""
    url = postgres.new_database()
    Store(url).engine.dispose()
    return url.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sessions.sqlite"
    store = Store(f"sqlite:///{path}")
    store.engine  # noqa: B018 (creates and migrates)
    store.close()
    return path


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def empty_url(backend, request, tmp_path) -> str:
    """A database with nothing in it (not migrated)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def db_url(backend, request, tmp_path) -> str:
    """A migrated, empty database of this test's own."""
    if backend == "sqlite":
        path = tmp_path / "sessions.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    postgres = request.getfixturevalue("postgres")
    return postgres.new_database(template=request.getfixturevalue("postgres_template"))


@pytest.fixture
def store(db_url) -> Store:
    store = Store(db_url)
    yield store
    store.close()


@pytest.fixture
def session(store):
    """An open session: ``(info, key)``."""
    return store.create_session("Check-in practice", threshold=5)
