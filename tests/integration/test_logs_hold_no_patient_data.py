"""Patient data never reaches a log, whatever fails: database errors and unexpected ones.

A database error's text can carry a patient's details two ways: the statement's parameters
(SQLAlchemy prints them unless told not to) and the database's own message (PostgreSQL's
"Failing row contains (…)" quotes the whole row). Each test makes a real error of its kind
happen with a patient's details in it, checks that the details were really there to leak,
and that no log line and nothing written to the terminal holds them.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bhcp_ag.hub.db import create_hub_engine
from bhcp_ag.hub.demo_users import DEMO_GP
from bhcp_ag.store.db import create_sqlite_engine

NHS_NUMBER = "4010002018"
QUESTION = "Marker question about Ms Quilliam-Tarbuck's left ankle"
FAMILY_NAME = "Aldingham-Quayle"  # the patient's name is patient data too
PATIENT_WORDS = (NHS_NUMBER, "Quilliam-Tarbuck", FAMILY_NAME)


def _leaks(*texts: str) -> list[str]:
    return [word for word in PATIENT_WORDS for seen in texts if word in seen]


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def _failing_insert(session: Session) -> None:
    """Insert a conversation holding the patient's details but no priority (NOT NULL)."""
    session.execute(
        text(
            "INSERT INTO conversations (id, version, practice_code, requester_id, "
            "specialty_code, priority, status, patient_nhs_number, question) VALUES "
            "(:id, 1, 'BAY001', :gp, '330', NULL, 'submitted', :nhs, :question)"
        ),
        {"id": str(uuid.uuid4()), "gp": "x", "nhs": NHS_NUMBER, "question": QUESTION},
    )


def test_a_database_error_during_a_push_logs_no_patient_data(
    sync: Any,
    hub_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    everything_logged: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    raised: list[DBAPIError] = []

    def submit_that_fails(session: Session, *args: Any, **kwargs: Any) -> Any:
        try:
            _failing_insert(session)
        except DBAPIError as error:
            raised.append(error)
            raise
        raise AssertionError("the insert should have failed")

    monkeypatch.setattr("bhcp_ag.hub.push.submit", submit_that_fails)
    [result] = sync.push(
        DEMO_GP,
        sync.request(
            patient_nhs_number=NHS_NUMBER, patient_family_name=FAMILY_NAME, question=QUESTION
        ),
    )

    assert result["status"] == "retry"  # a fault of the hub's database, not of the change
    assert raised, "the database refused nothing"
    if hub_database_url.startswith("postgresql"):
        # The class is real: PostgreSQL's own message quotes the row.
        assert NHS_NUMBER in str(raised[0].orig)
    assert "IntegrityError" in everything_logged.text  # the failure was logged, safely
    assert _leaks(everything_logged.text, *capfd.readouterr()) == []


def test_an_unexpected_error_in_a_request_logs_no_message(
    sync: Any,
    hub: Any,
    monkeypatch: pytest.MonkeyPatch,
    everything_logged: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    request = sync.request(
        patient_nhs_number=NHS_NUMBER, patient_family_name=FAMILY_NAME, question=QUESTION
    )
    [result] = sync.push(DEMO_GP, request)
    assert result["status"] == "applied", result

    def broken_snapshots(*_args: Any) -> Any:
        raise ValueError(f"cannot show {NHS_NUMBER}: {QUESTION}")

    monkeypatch.setattr("bhcp_ag.hub.routes.conversations.load_snapshots", broken_snapshots)
    response = hub.request(
        "GET", f"/api/v1/conversations/{request['conversation_id']}", token=hub.token(DEMO_GP)
    )

    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert _leaks(response.text) == []
    assert "ValueError" in everything_logged.text and "broken_snapshots" in everything_logged.text
    assert _leaks(everything_logged.text, *capfd.readouterr()) == []


def _refused_statement(engine: Engine) -> str:
    """The text of the error a statement with patient details as parameters raises."""
    try:
        with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
            connection.execute(
                text("SELECT * FROM no_such_table WHERE nhs = :nhs AND q = :q"),
                {"nhs": NHS_NUMBER, "q": QUESTION},
            )
    finally:
        engine.dispose()
    assert "no_such_table" in str(raised.value)  # the statement is there to find the fault
    return f"{raised.value} {raised.value!r}"


def test_the_hub_engines_print_no_statement_parameters(hub_database_url: str) -> None:
    assert _leaks(_refused_statement(create_hub_engine(hub_database_url))) == []


def test_the_store_engine_prints_no_statement_parameters(tmp_path: Path) -> None:
    assert _leaks(_refused_statement(create_sqlite_engine(tmp_path / "store.sqlite3"))) == []
