"""Schema changes go through Alembic: an empty database migrates, models and migrations
agree (the `alembic check` test), and the default database is where the docs say."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from peercare.store import DATA_ENV, Store, db
from peercare.store.models import metadata


def test_head_constant_is_alembics_head():
    assert ScriptDirectory.from_config(db.alembic_config()).get_heads() == [db.HEAD]


def test_an_empty_database_is_migrated_on_first_use(empty_url):
    engine = create_engine(empty_url)
    try:
        assert inspect(engine).get_table_names() == []
        store = Store(empty_url)
        info, key = store.create_session("First use")
        store.add_response(info.code, "quiz", "q1", "a")
        store.close()
        tables = {"alembic_version", "sessions", "responses", "session_state", "joins"}
        assert set(inspect(engine).get_table_names()) == tables
        assert db.current_revision(engine) == db.HEAD
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(empty_url):
    engine = db.make_engine(db.resolve_url(empty_url))
    try:
        db.upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            command.check(db.alembic_config(conn))  # raises when autogenerate finds changes
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(empty_url):
    engine = db.make_engine(db.resolve_url(empty_url))
    try:
        db.upgrade(engine)
        db.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        db.upgrade(engine)
        assert db.current_revision(engine) == db.HEAD
    finally:
        engine.dispose()


def test_sqlite_uses_wal_and_waits_for_the_lock(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def test_default_location(tmp_path, monkeypatch):
    monkeypatch.delenv(db.DB_ENV, raising=False)
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "kit-data"))
    store = Store()
    assert store.url.database == str(tmp_path / "kit-data" / "sessions.sqlite")
    store.create_session("Default")
    store.close()
    assert (tmp_path / "kit-data" / "sessions.sqlite").is_file()
    monkeypatch.setenv(db.DB_ENV, "postgresql://u@127.0.0.1/x")
    assert Store().url.drivername == "postgresql+psycopg"  # psycopg 3, not psycopg2
    monkeypatch.delenv(DATA_ENV)
    monkeypatch.delenv(db.DB_ENV)
    assert Store().url.database.endswith("data/sessions.sqlite")
