"""Alembic environment for the hub: batch mode for SQLite, named constraints.

The hub passes an open connection in ``config.attributes["connection"]``
(:func:`bhcp_ag.hub.db.run_alembic`); the command line may pass a URL instead:
``alembic -c <ini with script_location=migrations/hub> -x url=… upgrade head``.
"""

from __future__ import annotations

from alembic import context

from bhcp_ag.hub.db import create_hub_engine
from bhcp_ag.hub.models import Base

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
        raise SystemExit("Give the hub database: alembic -x url=sqlite:///path/hub.sqlite3 ...")
    engine = create_hub_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


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
