"""Alembic environment for the local store: batch mode for SQLite, named constraints.

The app passes an open connection in ``config.attributes["connection"]``; the command
line (``alembic -x url=sqlite:///path upgrade head``) may pass a URL instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bhcp_ag.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("Give the store: alembic -x url=sqlite:///path/to/store.sqlite3 ...")
    engine = create_engine(url, hide_parameters=True)
    with engine.begin() as conn:
        _run(conn)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
