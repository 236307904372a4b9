"""Where the store lives and how to connect: the URL, the engine, and migrations.

* URL: the ``url`` given, else ``$PEERCARE_DB_URL``, else the SQLite file
  ``<data dir>/sessions.sqlite`` (data dir: ``$PEERCARE_DATA_DIR``, else ``data/`` in the
  kit). ``postgresql://...`` means PostgreSQL through psycopg 3 (SQLAlchemy's default for
  that scheme would be psycopg2, which the kit does not install).
* SQLite: WAL journal (readers never wait for the writer), ``busy_timeout`` so writers
  queue instead of failing, ``synchronous=FULL`` so an acknowledged answer survives a
  crash, the file is created 0600 (owner only), and every write transaction begins with
  ``BEGIN IMMEDIATE`` (it takes the write
  lock at once and waits for it, instead of failing later on a stale read snapshot).
* Migrations: Alembic, run programmatically on first use (``upgrade head`` when the
  database is not at :data:`HEAD`). A PostgreSQL advisory lock, or SQLite's write lock,
  keeps two processes from migrating at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from ..paths import data_dir

DB_ENV = "PEERCARE_DB_URL"
DB_FILE = "sessions.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
HEAD = "0003"
"""The newest migration's revision; a test keeps it equal to Alembic's head."""
BUSY_TIMEOUT_MS = 30_000
WRITE = "peercare_write"  # execution option: this transaction writes (SQLite: IMMEDIATE)
_LOCK_ID = 727_011_417  # pg_advisory_xact_lock key for migrations


def resolve_url(url: str | URL | None = None) -> URL:
    """The database URL to use (see the module docstring), with the driver filled in."""
    if url is None:
        url = os.environ.get(DB_ENV) or None
    if url is None:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / DB_FILE}"
    url = make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return url


def safe_url(url: URL) -> str:
    """The URL for messages: never the password."""
    return url.render_as_string(hide_password=True)


def private_file(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only (0600), or make it so. SQLite
    gives its -wal and -shm files the database file's mode."""
    path = Path(path).expanduser()
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)  # a file from an older kit, or made under a loose umask
    except PermissionError:  # someone else's file: leave it
        pass
    finally:
        os.close(fd)


def make_engine(url: URL) -> Engine:
    """An engine for ``url``; for SQLite with the pragmas and BEGIN handling above, and the
    file readable by its owner only (answers are private)."""
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database not in (None, "", ":memory:") and not url.database.startswith("file:"):
        private_file(Path(url.database))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # the driver issues no BEGIN; we do
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions are write transactions."""
    return engine.execution_options(**{WRITE: True})


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision, or ``None`` for a database never migrated."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def alembic_config(connection=None):
    """An Alembic config for our migrations; ``connection`` is used by ``env.py`` if given."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.is_file() else Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """``alembic upgrade`` in one write transaction, one process at a time."""
    from alembic import command

    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_ID})
        command.downgrade(alembic_config(conn), revision)


def ensure_schema(engine: Engine) -> None:
    """Create or migrate the database when it is not at :data:`HEAD` (cheap when it is)."""
    if current_revision(engine) != HEAD:
        upgrade(engine)
