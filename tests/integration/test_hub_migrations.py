"""The hub's migrations on SQLite and PostgreSQL: head matches the models, every revision
goes down and up again, a database newer than the code is refused, and a hub holding
conversations before 0002 gets the reports' facts filled (and loses nothing going down)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, insert, inspect, select, text
from sqlalchemy.orm import Session

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
from bhcp_ag.hub.models import Base, Conversation


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


# --- 0002: the reports' facts, filled for the conversations a hub already holds -----------

FRIDAY_5PM = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # GMT: London time is UTC


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def _conversation(cid: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": cid,
        "version": 1,
        "practice_code": "BAY001",
        "requester_id": "u1",
        "specialty_code": "330",
        "priority": "ROUTINE",
        "status": "awaiting_specialist",
        "patient_nhs_number": "9434765919",
        "patient_birth_date": date(1971, 5, 14),
        "question": "Q?",
        "clinical_summary": "",
        "medication": "",
        "results": "",
        "template_answers": "{}",
        "created_at": FRIDAY_5PM,
        "updated_at": FRIDAY_5PM,
        "submitted_at": FRIDAY_5PM,
        "due_at": _at(24, 17),
        "first_response_at": None,
    }
    row.update(fields)
    return row


HUB_0001_CONVERSATIONS = [
    # Answered Monday 10:00, then a reply moved due_at on: first_due_at stays two working
    # days from sending (Tuesday 17:00); 1.5 h on Friday and 2 h on Monday were worked.
    _conversation(
        "answered", status="advice_returned", due_at=_at(27, 9), first_response_at=_at(23, 10)
    ),
    # Urgent (one working day: Monday 17:00), 80 on the day it was sent.
    _conversation("urgent", priority="URGENT", patient_birth_date=date(1946, 11, 20)),
    # Not sent: nothing to fix.
    _conversation("draft", status="draft", submitted_at=None, due_at=None),
    # A priority with no target and no date of birth: those facts stay unknown.
    _conversation("two-week-wait", priority="TWO_WEEK_WAIT", patient_birth_date=None, due_at=None),
]


def _fill_hub_at_0001(engine: Engine) -> None:
    tables = MetaData()
    tables.reflect(engine)
    t = tables.tables
    with engine.begin() as connection:
        connection.execute(
            insert(t["practices"]),
            {"code": "BAY001", "name": "Harbour Surgery", "icc": "Millom",
             "network": "Furness Peninsula", "town": "Millom", "list_size": 8500,
             "latitude": 54.21, "longitude": -3.27},
        )  # fmt: skip
        connection.execute(
            insert(t["specialties"]),
            {"tfc_code": "330", "name": "Dermatology Service", "short_name": "Dermatology"},
        )
        connection.execute(
            insert(t["users"]),
            {"id": "u1", "username": "gp1", "display_name": "Dr One", "role": "gp",
             "practice_code": "BAY001", "password_hash": "x", "active": True,
             "created_at": FRIDAY_5PM, "password_changed_at": FRIDAY_5PM},
        )  # fmt: skip
        connection.execute(insert(t["conversations"]), HUB_0001_CONVERSATIONS)
        connection.execute(
            insert(t["messages"]),
            {"id": "m1", "conversation_id": "answered", "author_id": "u1", "author_role": "gp",
             "kind": "request", "body": "Q?", "created_at": FRIDAY_5PM},
        )  # fmt: skip
        connection.execute(
            insert(t["feed"]),
            {"xid": 0, "conversation_id": "answered", "version": 1, "practice_code": "BAY001",
             "specialty_code": "330", "changed_at": FRIDAY_5PM},
        )  # fmt: skip


def test_a_hub_at_0001_gets_the_reports_facts_filled(empty_engine: Engine) -> None:
    run_alembic(empty_engine, "upgrade", "0001")
    _fill_hub_at_0001(empty_engine)
    migrate(empty_engine)
    with Session(empty_engine) as session:
        facts = {
            c.id: (c.first_due_at, c.response_working_days, c.patient_age_band, c.due_at)
            for c in session.scalars(select(Conversation))
        }
    assert facts == {
        "answered": (_at(24, 17), 3.5 / 10.5, "40-64", _at(27, 9)),
        "urgent": (_at(23, 17), None, "80+", _at(24, 17)),
        "draft": (None, None, None, None),
        "two-week-wait": (None, None, None, None),
    }

    # Down again, the columns go and nothing else: no rebuilt table cascading deletes.
    run_alembic(empty_engine, "downgrade", "0001")
    names = {c["name"] for c in inspect(empty_engine).get_columns("conversations")}
    assert not names & {"first_due_at", "response_working_days", "patient_age_band"}
    with empty_engine.connect() as connection:
        for table, rows in (("conversations", 4), ("messages", 1), ("feed", 1)):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == rows


def test_a_hub_at_0003_keeps_who_uploaded_its_attachments(empty_engine: Engine) -> None:
    run_alembic(empty_engine, "upgrade", "0003")
    _fill_hub_at_0001(empty_engine)
    tables = MetaData()
    tables.reflect(empty_engine)
    contents = tables.tables["attachment_contents"]
    with empty_engine.begin() as connection:
        connection.execute(
            insert(contents),
            [
                {"sha256": sha, "mime_type": "image/png", "size": 3, "content": b"png",
                 "uploaded_by_id": by, "uploaded_at": FRIDAY_5PM}
                for sha, by in (("a" * 64, "u1"), ("b" * 64, None))
            ],
        )  # fmt: skip
    run_alembic(empty_engine, "upgrade", "0004")
    with empty_engine.connect() as connection:
        rows = connection.execute(text("SELECT sha256, user_id FROM attachment_uploads")).all()
    assert [tuple(row) for row in rows] == [("a" * 64, "u1")]  # no uploader known: no row
    run_alembic(empty_engine, "downgrade", "0003")
    assert "attachment_uploads" not in inspect(empty_engine).get_table_names()
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM attachment_contents")).scalar() == 2


def test_0005_keeps_users_tokens_and_failures_both_ways(empty_engine: Engine) -> None:
    run_alembic(empty_engine, "upgrade", "0004")
    _fill_hub_at_0001(empty_engine)  # a user with conversations and messages
    tables = MetaData()
    tables.reflect(empty_engine)
    t = tables.tables
    with empty_engine.begin() as connection:
        connection.execute(
            insert(t["tokens"]),
            {"id": "t1", "token_sha256": "a" * 64, "user_id": "u1", "created_at": FRIDAY_5PM,
             "expires_at": FRIDAY_5PM, "revoked_at": None, "last_used_at": None},
        )  # fmt: skip
        connection.execute(
            insert(t["failed_sign_ins"]),
            {"username": "gp1", "client_address": "10.0.0.1", "at": FRIDAY_5PM},
        )
    run_alembic(empty_engine, "upgrade", "0005")
    with empty_engine.connect() as connection:
        token = connection.execute(text("SELECT client_address, user_agent FROM tokens")).one()
        assert tuple(token) == ("", "")
        user = connection.execute(text("SELECT active, deactivated_at FROM users")).one()
        assert bool(user[0]) and user[1] is None
    indexes = {i["name"] for i in inspect(empty_engine).get_indexes("failed_sign_ins")}
    assert "ix_failed_sign_ins_username_client_address_at" in indexes
    assert "ix_failed_sign_ins_client_address_at" not in indexes

    run_alembic(empty_engine, "downgrade", "0004")  # columns go, rows stay
    assert "deactivated_at" not in {c["name"] for c in inspect(empty_engine).get_columns("users")}
    indexes = {i["name"] for i in inspect(empty_engine).get_indexes("failed_sign_ins")}
    assert "ix_failed_sign_ins_client_address_at" in indexes
    with empty_engine.connect() as connection:
        for table, rows in (("users", 1), ("tokens", 1), ("failed_sign_ins", 1), ("messages", 1)):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == rows
