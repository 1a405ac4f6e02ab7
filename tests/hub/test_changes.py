"""The hub's change rules without HTTP: payload checks, the refusals, conversion, the
at-most-once record, and what a push answers when the database fails part-way.

Runs :func:`bhcp_ag.hub.push.push_changes` on an embedded SQLite hub database migrated
and seeded once for the module, each test on conversations of its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import Parameters, Type
from sqlalchemy import select
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.orm import Session

from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.access import Caller
from bhcp_ag.hub.accounts import user_by_username
from bhcp_ag.hub.changes import Rejected, parse_payload
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo import seed_demo
from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_SPECIALIST
from bhcp_ag.hub.feed import FeedRow
from bhcp_ag.hub.models import (
    AppliedChange,
    AuditEntry,
    Conversation,
    Message,
    Specialty,
    User,
)
from bhcp_ag.hub.pull import current_snapshots
from bhcp_ag.hub.push import PushContext, _change_at_fault, push_changes
from bhcp_ag.hub.security import Passwords
from bhcp_ag.hub.snapshots import wire_value
from bhcp_ag.hub.sync_schemas import ChangeIn, ChangeResult

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CHEAP = Parameters(
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=1024, parallelism=1
)
ANSWERS = {
    "lesion_site": "Left shin",
    "problem_type": "Single lesion",
    "duration": "3 months",
    "changes": ["Growing"],
    "treatments_tried": "None",
    "photo_attached": "No photo",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubDatabase]:
    path: Path = tmp_path_factory.mktemp("hub") / "hub.sqlite3"
    opened = HubDatabase.open(f"sqlite:///{path}")
    with opened.transaction() as session:
        seed_demo(session, Passwords(CHEAP))
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def callers(database: HubDatabase) -> dict[str, Caller]:
    with database.transaction() as session:
        users = {name: user_by_username(session, name) for name in (DEMO_GP, DEMO_SPECIALIST)}
        users[DEMO_ADMIN] = user_by_username(session, DEMO_ADMIN)
        return {name: Caller.of(user, "token") for name, user in users.items() if user}


def _context(database: Any, caller: Caller) -> PushContext:
    return PushContext(
        database=database,
        caller=caller,
        address="127.0.0.1",
        now=lambda: NOW,
        targets=ResponseTargets.load(),
        catalogue=SpecialtyCatalogue.load(),
    )


def _change(kind: str, conversation_id: str, **payload: Any) -> ChangeIn:
    return ChangeIn(
        id=uuid.uuid4(),
        kind=f"conversation.{kind}",
        conversation_id=uuid.UUID(conversation_id),
        payload=payload,
    )


def _request(conversation_id: str | None = None, **overrides: Any) -> ChangeIn:
    conversation_id = conversation_id or str(uuid.uuid4())
    payload = {
        "message_id": str(uuid.uuid4()),
        "practice_code": "BAY001",
        "specialty_code": "330",
        "priority": "ROUTINE",
        "patient_nhs_number": "9434765919",
        "patient_family_name": "Pickthall",
        "patient_given_name": "Derek",
        "patient_birth_date": "1958-02-01",
        "patient_sex": "male",
        "question": "Slowly growing lesion on the left shin: excise or watch?",
        "clinical_summary": "Three months, painless, 8 mm.",
        "template_answers": ANSWERS,
        "would_have_referred": "no",
        "convert_authorisation": "AUTHORISED_TO_CONVERT",
    } | overrides
    return _change("submit", conversation_id, **payload)


def _push(database: Any, caller: Caller, *changes: ChangeIn) -> list[ChangeResult]:
    return push_changes(_context(database, caller), list(changes))


def _codes(results: list[ChangeResult]) -> list[str | None]:
    return [result.code if result.status != "applied" else "applied" for result in results]


BAD_PAYLOADS = [
    ("conversation.respond", {"message_id": "x", "outcome": "ADVISE", "body": "b"}, "message_id"),
    ("conversation.respond", {"message_id": str(uuid.uuid4()), "body": "b"}, "outcome"),
    ("conversation.reply", {"message_id": str(uuid.uuid4()), "body": 7}, "payload.body"),
    ("conversation.reply", {"message_id": str(uuid.uuid4()), "body": "a\x00b"}, "NUL"),
    ("conversation.close", {"closing_outcome": "cured"}, "closing_outcome"),
    ("conversation.claim", {"urgent": True}, "urgent"),
    ("conversation.cancel", {"reason": "x" * 20_001}, "too long"),
    ("conversation.submit", {"message_id": str(uuid.uuid4())}, "is missing"),
]


@pytest.mark.parametrize(("kind", "payload", "words"), BAD_PAYLOADS)
def test_a_payload_that_does_not_fit_its_kind_is_refused_in_words(
    kind: str, payload: dict[str, Any], words: str
) -> None:
    with pytest.raises(Rejected) as refusal:
        parse_payload(kind, payload)
    assert refusal.value.code == "invalid_payload"
    assert words in refusal.value.reason


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(Rejected) as refusal:
        parse_payload("conversation.delete", {})
    assert refusal.value.code == "unknown_kind"
    assert "conversation.submit" in refusal.value.reason


def test_requests_are_checked_as_the_desktop_checks_them(database, callers) -> None:
    gp = callers[DEMO_GP]
    results = _push(
        database,
        gp,
        _request(priority="TWO_WEEK_WAIT"),
        _request(patient_nhs_number="1234567890"),
        _request(template_answers={}),
        _request(specialty_code="999"),
        _request(question=" "),
        _request(question="q" * 8001),
    )
    assert (
        _codes(results) == ["invalid_request"] * 3 + ["unknown_specialty"] + ["invalid_request"] * 2
    )
    assert "two-week-wait" in (results[0].reason or "")
    assert "check digit" in (results[1].reason or "")
    assert "Site of the lesion" in (results[2].reason or "")
    assert "cannot be empty" in (results[4].reason or "")
    assert "Shorten it by 1" in (results[5].reason or "")


def test_a_request_names_its_patient(database, callers) -> None:
    """The third identifier: a request without the patient's name is refused, with why."""
    gp = callers[DEMO_GP]
    nameless = _request()
    del nameless.payload["patient_family_name"]  # an older desk's request
    results = _push(
        database,
        gp,
        nameless,
        _request(patient_given_name="  "),
        _request(patient_family_name="Pickthall3"),
        _request(patient_family_name="P" * 36),
        _request(patient_family_name="  o'neill  ", patient_given_name="Zoë"),
    )
    assert _codes(results) == ["invalid_payload"] + ["invalid_request"] * 3 + ["applied"]
    assert "patient_family_name" in (results[0].reason or "")
    assert "given name" in (results[1].reason or "")
    assert "'3'" in (results[2].reason or "")
    assert "36 characters" in (results[3].reason or "")
    served = results[4].conversation
    assert served is not None
    assert (served.patient_family_name, served.patient_given_name) == ("o'neill", "Zoë")


def test_ids_are_never_used_twice(database, callers) -> None:
    gp, specialist = callers[DEMO_GP], callers[DEMO_SPECIALIST]
    request = _request()
    cid = str(request.conversation_id)
    message_id = request.payload["message_id"]
    results = _push(database, gp, request, _request(cid))
    assert _codes(results) == ["applied", "conversation_exists"]
    reuse = _change(
        "respond", cid, message_id=message_id, outcome="REQUIRE_FURTHER_INFORMATION", body="x"
    )
    assert _codes(_push(database, specialist, reuse)) == ["message_exists"]
    taken = _push(database, specialist, request)  # the GP's change id, pushed by another
    assert (taken[0].code, taken[0].conversation) == ("change_id_taken", None)


def test_closing_after_a_recommended_referral_needs_the_gps_reason(database, callers) -> None:
    gp, specialist = callers[DEMO_GP], callers[DEMO_SPECIALIST]
    request = _request()
    cid = str(request.conversation_id)
    advice = _change(
        "respond",
        cid,
        message_id=str(uuid.uuid4()),
        outcome="RETURN_TO_REFERRER_WITH_ADVICE",
        recommendation="REFERRAL_RECOMMENDED",
        body="Refer to the lesion clinic: this needs excision.",
    )
    _push(database, gp, request)
    assert _codes(_push(database, specialist, _change("claim", cid), advice)) == ["applied"] * 2
    closing = {"closing_outcome": "managed_in_primary_care", "advice_useful": "yes"}
    [silent] = _push(database, gp, _change("close", cid, **closing))
    assert (silent.status, silent.code) == ("rejected", "referral_reason_needed")
    assert "why the patient is not being referred" in (silent.reason or "")
    [reasoned] = _push(database, gp, _change("close", cid, **closing, note="Patient declined."))
    assert reasoned.status == "applied"


def test_advice_names_the_responsible_consultant_of_the_specialty(database, callers) -> None:
    """H12: advice (and a conversion) is given under the specialty's named consultant; a
    question for the GP is not advice and names no one."""
    gp = callers[DEMO_GP]
    with database.transaction() as session:  # a registrar on the team, not its lead
        team = User(
            id=str(uuid.uuid4()),
            username="ada.registrar",
            display_name="Dr Ada Registrar",
            role="specialist",
            password_hash="-",
            specialties=[session.get(Specialty, "330")],
        )
        session.add(team)
        session.flush()
        specialist = Caller.of(team, "token")
    asked, advised = _request(), _request()
    _push(database, gp, asked, advised)

    def respond(request: ChangeIn, outcome: str, **more: str) -> ChangeResult:
        cid = str(request.conversation_id)
        change = _change(
            "respond", cid, message_id=str(uuid.uuid4()), outcome=outcome, body="x", **more
        )
        return _push(database, specialist, _change("claim", cid), change)[-1]

    question = respond(asked, "REQUIRE_FURTHER_INFORMATION")
    advice = respond(advised, "RETURN_TO_REFERRER_WITH_ADVICE", recommendation="OTHER")
    assert question.conversation is not None and advice.conversation is not None
    assert question.conversation.messages[-1].responsible_consultant is None
    named = advice.conversation.messages[-1]
    assert named.author_id == specialist.id  # given by the registrar, under the lead's name
    assert (named.kind, named.responsible_consultant) == ("advice", "Dr Rohan Mehta")
    with database.transaction() as session:  # kept as given, whoever leads later
        stored = session.get(Message, named.id)
        assert stored is not None and stored.responsible_consultant == "Dr Rohan Mehta"


def test_conversion_needs_the_gps_authorisation(database, callers) -> None:
    gp, specialist = callers[DEMO_GP], callers[DEMO_SPECIALIST]
    allowed, refused = _request(), _request(convert_authorisation="NOT_AUTHORISED_TO_CONVERT")
    _push(database, gp, allowed, refused)

    def convert(request: ChangeIn, *, claimed: bool = True) -> ChangeResult:
        cid = str(request.conversation_id)
        change = _change(
            "respond",
            cid,
            message_id=str(uuid.uuid4()),
            outcome="PROVIDER_CONVERTED",
            body="Booked into the lesion clinic.",
        )
        changes = [_change("claim", cid), change] if claimed else [change]
        return _push(database, specialist, *changes)[-1]

    unclaimed = convert(allowed, claimed=False)  # a conversion is a referral in one's name
    assert (unclaimed.status, unclaimed.code) == ("rejected", "claim_needed")
    assert unclaimed.reason is not None and unclaimed.reason.startswith("Claim the request")
    converted, not_converted = convert(allowed), convert(refused)
    assert converted.conversation is not None and converted.status == "applied"
    assert converted.conversation.status == "converted"
    assert converted.conversation.closed_at == NOW
    assert converted.conversation.referral_avoided is False
    assert converted.conversation.messages[-1].kind == "conversion"
    assert (not_converted.code, not_converted.conversation.status) == (  # type: ignore[union-attr]
        "transition_refused",
        "awaiting_specialist",
    )


def test_claims_and_releases(database, callers) -> None:
    gp, specialist, admin = callers[DEMO_GP], callers[DEMO_SPECIALIST], callers[DEMO_ADMIN]
    request = _request()
    cid = str(request.conversation_id)
    _push(database, gp, request)
    first = _push(database, specialist, _change("claim", cid), _change("claim", cid))
    assert _codes(first) == ["applied", "applied"]
    assert first[0].conversation.version == first[1].conversation.version  # type: ignore[union-attr]
    released = _push(database, admin, _change("release", cid), _change("release", cid))
    assert _codes(released) == ["applied", "applied"]
    assert released[1].conversation.claimed_by_id is None  # type: ignore[union-attr]
    _push(database, gp, _change("cancel", cid, reason="Referred on the 2WW pathway."))
    [late] = _push(database, specialist, _change("claim", cid))
    assert late.code == "transition_refused"
    assert "'Cancelled' cannot be claimed" in (late.reason or "")


class FailingDatabase:
    """A hub database whose ``fail_on``-th unit of work (and every one after) fails."""

    def __init__(self, database: HubDatabase, fail_on: int) -> None:
        self._database = database
        self._units = 0
        self._fail_on = fail_on

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        self._units += 1
        if self._units >= self._fail_on:
            raise OperationalError("BEGIN", {}, Exception("the database went away"))
        with self._database.transaction() as session:
            yield session


def test_a_failing_database_stops_the_push_without_losing_what_was_done(database, callers) -> None:
    gp = callers[DEMO_GP]
    changes = [_request(), _request(), _request()]
    results = _push(FailingDatabase(database, fail_on=2), gp, *changes)
    assert [r.status for r in results] == ["applied", "retry", "retry"]
    assert results[1].code == "retry_later" and "queued" in (results[1].reason or "")
    with database.transaction() as session:
        recorded = [session.get(AppliedChange, str(change.id)) for change in changes]
    assert [row is not None for row in recorded] == [True, False, False]
    again = _push(database, gp, *changes)  # the client pushes the same changes again
    assert [r.status for r in again] == ["applied"] * 3
    assert again[0].conversation.version == 1  # type: ignore[union-attr]


def test_pulls_leave_out_snapshots_a_later_entry_will_bring() -> None:
    rows = [
        FeedRow(0, n, cid, version, "BAY001", "330")
        for n, (cid, version) in enumerate([("a", 1), ("b", 1), ("a", 2)], start=1)
    ]
    snapshots = {"a": {"id": "a", "version": 2}, "b": {"id": "b", "version": 3}}
    assert current_snapshots(rows, snapshots) == [{"id": "a", "version": 2}]


def test_times_travel_as_utc_text() -> None:
    assert wire_value(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)) == "2026-11-23T10:00:00Z"
    assert wire_value(NOW.date()) == "2026-11-23"
    assert wire_value(None) is None


def test_changes_are_audited_without_patient_data(database, callers) -> None:
    request = _request()
    refused = _change("claim", str(request.conversation_id))
    results = _push(database, callers[DEMO_GP], request, refused)
    assert _codes(results) == ["applied", "forbidden"]
    replayed = _push(database, callers[DEMO_GP], request)
    assert replayed[0].model_dump(exclude={"conversation"}) == results[0].model_dump(
        exclude={"conversation"}
    )
    with database.transaction() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == str(request.conversation_id))
        ).all()
    assert [(e.action, e.detail["change_id"], e.detail["outcome"]) for e in entries] == [
        ("conversation.submit", str(request.id), "applied"),
        ("change.rejected", str(refused.id), "rejected"),
        ("change.replayed", str(request.id), "applied"),
    ]
    assert entries[1].detail["code"] == "forbidden"
    written = json.dumps([entry.detail for entry in entries])
    for private in ("9434765919", "1958-02-01", "shin", "lesion", "Three months"):
        assert private not in written


def test_a_lone_surrogate_an_older_hub_stored_is_served_and_changes_go_on(
    database, callers
) -> None:
    (sent,) = _push(database, callers[DEMO_GP], _request())
    conversation_id = sent.conversation.id  # type: ignore[union-attr]
    with database.transaction() as session:  # as a hub before the wire's text rule left it
        session.execute(
            Conversation.__table__.update()
            .where(Conversation.__table__.c.id == conversation_id)
            .values(template_answers='{"lesion_site": "arm \\ud83d", "duration": "\\ud83d\\ude00"}')
        )
    (claimed,) = _push(database, callers[DEMO_SPECIALIST], _change("claim", conversation_id))
    assert claimed.status == "applied"
    answers = claimed.conversation.template_answers  # type: ignore[union-attr]
    assert answers == {"lesion_site": "arm \ufffd", "duration": "😀"}
    claimed.model_dump_json()


@pytest.mark.parametrize(
    ("error", "at_fault"),
    [
        (DataError("INSERT", {}, Exception("value too long")), True),
        (
            StatementError("bind", "INSERT", {}, UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "")),
            True,
        ),
        (StatementError("bind", "INSERT", {}, OverflowError("too big")), True),
        (OperationalError("SELECT 1", {}, Exception("connection lost")), False),
        (IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (ProgrammingError("SELECT", {}, Exception("no such column")), False),
    ],
)
def test_a_database_refusal_of_the_changes_own_values_is_its_fault(
    error: SQLAlchemyError, at_fault: bool
) -> None:
    assert _change_at_fault(error) is at_fault
