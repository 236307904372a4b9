"""Alembic environment for the session store.

The store passes its own connection (``config.attributes["connection"]``) and runs this
inside its transaction. From the command line the database is ``-x url=...``, else the
store's default (``$PEERCARE_DB_URL``, else the SQLite file in the data folder).
"""

from __future__ import annotations

from alembic import context

from peercare.store.db import make_engine, resolve_url, writer
from peercare.store.models import metadata

config = context.config
target_metadata = metadata


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        transactional_ddl=True,
        **kwargs,
    )


def run(connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = resolve_url(context.get_x_argument(as_dictionary=True).get("url"))
    if context.is_offline_mode():
        _configure(url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with writer(engine).begin() as conn:
            run(conn)
    finally:
        engine.dispose()


main()
