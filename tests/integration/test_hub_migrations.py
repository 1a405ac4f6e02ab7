"""The hub's migrations on SQLite and PostgreSQL: head matches the models, every revision
goes down and up again, and a database newer than the code is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from bhcp_ag.hub.db import (
    HubDatabase,
    HubDatabaseTooNew,
    alembic_config,
    create_hub_engine,
    current_revision,
    head_revision,
    migrate,
    run_alembic,
)
from bhcp_ag.hub.models import Base


@pytest.fixture(params=["sqlite", "postgres"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        name = f"hub_empty_{tmp_path.name.replace('-', '_').lower()}"[:60]
        cluster.admin_sql(f"CREATE DATABASE {name}")
        url = cluster.url(name)
    engine = create_hub_engine(url)
    yield engine
    engine.dispose()


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_head_schema_matches_the_models(empty_engine: Engine) -> None:
    migrate(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    assert current_revision(empty_engine) == head_revision()


def test_every_revision_downgrades_and_upgrades_again(empty_engine: Engine) -> None:
    migrate(empty_engine)
    for target in [*reversed(_revisions()[:-1]), "base"]:
        run_alembic(empty_engine, "downgrade", target)
        assert current_revision(empty_engine) == (None if target == "base" else target)
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrate(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert "audit_log" in inspect(empty_engine).get_table_names()


def test_a_database_from_a_newer_hub_is_refused(empty_engine: Engine) -> None:
    migrate(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(HubDatabaseTooNew, match="newer version of bhcp-ag-hub.*9999"):
        HubDatabase.open(str(empty_engine.url.render_as_string(hide_password=False)))


def test_migrating_twice_changes_nothing(empty_engine: Engine) -> None:
    migrate(empty_engine)
    migrate(empty_engine)
    assert current_revision(empty_engine) == head_revision()
