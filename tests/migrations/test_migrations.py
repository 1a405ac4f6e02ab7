"""The store's migrations: forward from every revision, backward, and refusing newer stores."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from bhcp_ag.store.db import (
    STORE_HEAD,
    Store,
    StoreTooNew,
    alembic_config,
    create_sqlite_engine,
    current_revision,
    head_revision,
    migrate,
)
from bhcp_ag.store.models import Base


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_head_schema_matches_the_models(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "s.sqlite3")
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_every_revision_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "s.sqlite3")
    migrate(engine)
    revisions = _revisions()
    assert len(revisions) >= 2
    for target in [*reversed(revisions[:-1]), "base"]:
        _run(engine, "downgrade", target)
        expected = None if target == "base" else target
        assert current_revision(engine) == expected
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert current_revision(engine) == head_revision()


FIRST_REVISION_ROWS = [
    "INSERT INTO practices VALUES ('BAY001', 'Harbour Surgery', 'Millom', 'Furness Peninsula',"
    " 8500, 54.21, -3.27)",
    "INSERT INTO specialties VALUES ('330', 'Dermatology Service', 'Dermatology')",
    "INSERT INTO users VALUES ('u1', 'gp1', 'Dr One', 'gp', 'BAY001', '')",
    "INSERT INTO conversations (id, practice_code, requester_id, specialty_code, priority,"
    " status, patient_nhs_number, question, clinical_summary, medication, results,"
    " template_answers, would_have_referred, created_at, updated_at, submitted_at, due_at)"
    " VALUES ('c1', 'BAY001', 'u1', '330', 'ROUTINE', 'submitted', '9434765919',"
    " 'Changing mole on the back?', 'Summary', '', '', '{\"lesion_site\": \"back\"}', 'yes',"
    " '2026-11-20 09:00:00.000000', '2026-11-20 09:00:00.000000',"
    " '2026-11-20 09:00:00.000000', '2026-11-24 09:00:00.000000')",
    "INSERT INTO messages VALUES ('m1', 'c1', 'u1', 'gp', 'request', 'Changing mole on the back?',"
    " NULL, NULL, '2026-11-20 09:00:00.000000')",
    "INSERT INTO attachment_contents VALUES ('ab' || hex(zeroblob(31)), 'image/png', 4,"
    " x'89504e47')",
    "INSERT INTO outbox VALUES ('o1', 1, 'conversation.submit', 'c1', '{}',"
    " '2026-11-20 09:00:00.000000', 'pending', 0, NULL)",
]


def test_a_store_with_data_from_the_first_revision_upgrades_without_loss(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "old.sqlite3")
    first = _revisions()[0]
    _run(engine, "upgrade", first)
    with engine.begin() as connection:
        for statement in FIRST_REVISION_ROWS:
            connection.execute(text(statement))
    columns = _columns(engine)
    before = _dump(engine, columns)

    store = Store.open(tmp_path / "old.sqlite3")  # opening migrates to head
    assert current_revision(store.engine) == head_revision()
    after = _dump(store.engine, columns)  # the columns added since are checked elsewhere
    for table, rows in before.items():
        assert after[table] == rows, f"rows of {table} changed in the upgrade"
    assert sum(len(rows) for rows in before.values()) == len(FIRST_REVISION_ROWS)
    store.close()


def _columns(engine: Engine) -> dict[str, list[str]]:
    inspector = inspect(engine)
    tables = [t for t in inspector.get_table_names() if t != "alembic_version"]
    return {t: [c["name"] for c in inspector.get_columns(t)] for t in tables}


def _dump(engine: Engine, columns: dict[str, list[str]]) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return {
            t: [
                tuple(r)
                for r in connection.execute(text(f"SELECT {', '.join(names)} FROM {t} ORDER BY 1"))
            ]
            for t, names in columns.items()
        }


def test_a_store_newer_than_the_code_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    Store.open(path).close()
    engine = create_sqlite_engine(path)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreTooNew, match="newer version of bhcp-ag"):
        Store.open(path)
    assert current_revision(engine) == "9999"


def test_store_connections_use_wal_foreign_keys_and_full_sync(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.sqlite3")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    store.close()


# --- 0006: the reports' facts, filled for the conversations a store already holds ---------

REPORT_FACTS_ROWS = [
    "INSERT INTO practices VALUES ('BAY001', 'Harbour Surgery', 'Millom', 'Furness Peninsula',"
    " 8500, 54.21, -3.27)",
    "INSERT INTO specialties VALUES ('330', 'Dermatology Service', 'Dermatology')",
    "INSERT INTO users VALUES ('u1', 'gp1', 'Dr One', 'gp', 'BAY001', '')",
]
_CONVERSATION = (
    "INSERT INTO conversations (id, practice_code, requester_id, specialty_code, priority,"
    " status, patient_nhs_number, patient_birth_date, question, clinical_summary, medication,"
    " results, template_answers, created_at, updated_at, submitted_at, due_at,"
    " first_response_at) VALUES (:id, 'BAY001', 'u1', '330', :priority, :status, '9434765919',"
    " :birth, 'Q?', '', '', '', '{}', '2026-11-20 16:00:00.000000',"
    " '2026-11-20 16:00:00.000000', :submitted, :due, :responded)"
)
# Friday 20 November 2026, 17:00 GMT; London time is UTC in November.
REPORT_FACTS_CONVERSATIONS = [
    # Answered on Monday 10:00 after a reply moved due_at on: first_due_at is still
    # two working days from sending (Tuesday 17:00); 1.5 h on Friday + 2 h on Monday.
    {"id": "answered", "priority": "ROUTINE", "status": "advice_returned",
     "birth": "1971-05-14", "submitted": "2026-11-20 17:00:00.000000",
     "due": "2026-11-27 09:00:00.000000", "responded": "2026-11-23 10:00:00.000000"},
    # Waiting, urgent (one working day: Monday 17:00), 80 on the day it was sent.
    {"id": "urgent", "priority": "URGENT", "status": "awaiting_specialist",
     "birth": "1946-11-20", "submitted": "2026-11-20 17:00:00.000000",
     "due": "2026-11-23 17:00:00.000000", "responded": None},
    # Not sent: nothing to fix.
    {"id": "draft", "priority": "ROUTINE", "status": "draft", "birth": "2020-01-01",
     "submitted": None, "due": None, "responded": None},
    # A priority with no target and no date of birth: those facts stay unknown.
    {"id": "two-week-wait", "priority": "TWO_WEEK_WAIT", "status": "awaiting_specialist",
     "birth": None, "submitted": "2026-11-20 17:00:00.000000", "due": None,
     "responded": None},
]  # fmt: skip


def test_a_store_at_0005_gets_the_reports_facts_filled(tmp_path: Path) -> None:
    engine = create_sqlite_engine(tmp_path / "old.sqlite3")
    _run(engine, "upgrade", "0005")
    with engine.begin() as connection:
        for statement in REPORT_FACTS_ROWS:
            connection.execute(text(statement))
        connection.execute(text(_CONVERSATION), REPORT_FACTS_CONVERSATIONS)
        connection.execute(
            text(
                "INSERT INTO messages VALUES ('m1', 'answered', 'u1', 'gp', 'request', 'Q?',"
                " NULL, NULL, '2026-11-20 17:00:00.000000')"
            )
        )

    store = Store.open(tmp_path / "old.sqlite3")  # opening migrates to head
    query = text(
        "SELECT id, first_due_at, response_working_days, patient_age_band, due_at"
        " FROM conversations"
    )
    with store.engine.connect() as connection:
        facts = {row[0]: tuple(row[1:]) for row in connection.execute(query)}
    store.close()
    assert facts == {
        "answered": (
            "2026-11-24 17:00:00.000000",
            3.5 / 10.5,
            "40-64",
            "2026-11-27 09:00:00.000000",
        ),
        "urgent": ("2026-11-23 17:00:00.000000", None, "80+", "2026-11-23 17:00:00.000000"),
        "draft": (None, None, None, None),
        "two-week-wait": (None, None, None, None),
    }

    # Down again, the columns go and nothing else: no rebuilt table cascading deletes.
    _run(engine, "downgrade", "0005")
    names = {c["name"] for c in inspect(engine).get_columns("conversations")}
    assert not names & {"first_due_at", "response_working_days", "patient_age_band"}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM conversations")).scalar() == 4
        assert connection.execute(text("SELECT count(*) FROM messages")).scalar() == 1
    engine.dispose()


@pytest.mark.parametrize(
    ("remembered", "expected"), [("gp1", "u1"), ("nobody", None), (None, None)]
)
def test_queued_changes_at_0007_are_given_to_the_user_who_signed_in_last(
    tmp_path: Path, remembered: str | None, expected: str | None
) -> None:
    engine = create_sqlite_engine(tmp_path / "old.sqlite3")
    _run(engine, "upgrade", "0007")
    with engine.begin() as connection:
        for statement in REPORT_FACTS_ROWS:
            connection.execute(text(statement))
        if remembered is not None:
            connection.execute(
                text("INSERT INTO app_state VALUES ('sync.last_username', :name)"),
                {"name": remembered},
            )
        connection.execute(
            text(
                "INSERT INTO outbox (id, seq, kind, conversation_id, payload, created_at, state,"
                " attempts) VALUES ('c1', 1, 'conversation.claim', NULL, '{}',"
                " '2026-11-20 16:00:00.000000', 'pending', 0)"
            )
        )
    _run(engine, "upgrade", "0008")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT user_id FROM outbox")).scalar() == expected
    _run(engine, "downgrade", "0007")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outbox")).scalar() == 1
    assert "user_id" not in {c["name"] for c in inspect(engine).get_columns("outbox")}
    engine.dispose()


def test_the_head_the_store_knows_without_alembic_is_alembic_s_head() -> None:
    assert head_revision() == STORE_HEAD  # a new migration must move STORE_HEAD with it


def test_a_store_at_head_opens_without_alembic_and_an_older_one_is_migrated(
    tmp_path: Path,
) -> None:
    current, older = tmp_path / "current.sqlite3", tmp_path / "older.sqlite3"
    Store.open(current).close()
    engine = create_sqlite_engine(older)
    _run(engine, "upgrade", _revisions()[-2])
    engine.dispose()
    probe = (
        "import sys\nfrom pathlib import Path\nfrom bhcp_ag.store.db import Store\n"
        "Store.open(Path(sys.argv[1])).close()\nprint('alembic' in sys.modules)\n"
    )
    ran = [
        subprocess.run(
            [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True
        ).stdout.strip()
        for path in (current, older)
    ]
    assert ran == ["False", "True"]
    engine = create_sqlite_engine(older)
    assert current_revision(engine) == head_revision()  # the older one was brought up
    engine.dispose()
