"""Arrivals: what a sync brought for the signed-in user, told once and without patient data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bhcp_ag.domain.conversation import Status
from bhcp_ag.services.arrivals import (
    Arrival,
    ArrivalKind,
    arrivals_since,
    summary,
    take_arrivals,
)
from bhcp_ag.services.workspace import CurrentUser, load_user
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation, Message
from bhcp_ag.store.reference import DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST, user_id

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NHS_NUMBER = "9434765919"
QUESTION = "Mrs Jane Example, 64: itchy plaques on both elbows"


@pytest.fixture
def gp(seeded_store: Store) -> CurrentUser:
    return load_user(seeded_store, DEMO_GP)


@pytest.fixture
def specialist(seeded_store: Store) -> CurrentUser:
    return load_user(seeded_store, DEMO_SPECIALIST)


def add_conversation(
    store: Store,
    *,
    practice_code: str,
    specialty_code: str = "330",
    status: Status = Status.AWAITING_SPECIALIST,
    at: datetime = T0,
    priority: str = "ROUTINE",
) -> str:
    """A conversation sent by the demo GP at ``at``, with its request message."""
    conversation_id = str(uuid.uuid4())
    with store.session() as session:
        session.add(
            Conversation(
                id=conversation_id,
                practice_code=practice_code,
                requester_id=user_id(DEMO_GP),
                specialty_code=specialty_code,
                priority=priority,
                status=status.value,
                patient_nhs_number=NHS_NUMBER,
                question=QUESTION,
                submitted_at=at,
                created_at=at,
                updated_at=at,
            )
        )
    add_message(store, conversation_id, "request", at, author=DEMO_GP, role="gp")
    return conversation_id


def add_message(
    store: Store,
    conversation_id: str,
    kind: str,
    at: datetime,
    *,
    author: str = DEMO_SPECIALIST,
    role: str = "specialist",
    status: Status | None = None,
) -> None:
    with store.session() as session:
        session.add(
            Message(
                id=str(uuid.uuid4()),
                conversation_id=conversation_id,
                author_id=user_id(author),
                author_role=role,
                kind=kind,
                body=f"About {QUESTION}",
                created_at=at,
            )
        )
        if status is not None:
            session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(status=status.value)
            )


def test_a_gp_hears_of_advice_and_questions_for_their_practice(
    seeded_store: Store, gp: CurrentUser
) -> None:
    assert gp.practice_code is not None
    advised = add_conversation(seeded_store, practice_code=gp.practice_code)
    asked = add_conversation(seeded_store, practice_code=gp.practice_code, priority="URGENT")
    other_practice = add_conversation(seeded_store, practice_code="BAY002")
    waiting = add_conversation(seeded_store, practice_code=gp.practice_code)
    later = T0 + timedelta(hours=1)
    add_message(seeded_store, advised, "advice", later, status=Status.ADVICE_RETURNED)
    add_message(seeded_store, asked, "question", later, status=Status.MORE_INFO_REQUESTED)
    add_message(seeded_store, other_practice, "advice", later, status=Status.ADVICE_RETURNED)
    add_message(seeded_store, waiting, "note", later)

    with seeded_store.read_session() as session:
        found = arrivals_since(session, gp, T0)
    by_id = {arrival.conversation_id: arrival for arrival in found}
    assert set(by_id) == {advised, asked}
    assert by_id[advised].kind is ArrivalKind.ADVICE_RETURNED
    assert by_id[advised].text == "Dermatology: advice returned"
    assert by_id[asked].text == ("Dermatology: the specialist asks for more information (urgent)")
    assert by_id[asked].arrived_at == later


def test_a_gp_is_not_told_of_an_answer_already_dealt_with(
    seeded_store: Store, gp: CurrentUser
) -> None:
    assert gp.practice_code is not None
    answered = add_conversation(seeded_store, practice_code=gp.practice_code)
    add_message(seeded_store, answered, "question", T0 + timedelta(minutes=5))
    add_message(
        seeded_store,
        answered,
        "reply",
        T0 + timedelta(minutes=9),
        author=DEMO_GP,
        role="gp",
        status=Status.AWAITING_SPECIALIST,  # the GP (on another computer) replied already
    )
    with seeded_store.read_session() as session:
        assert arrivals_since(session, gp, T0) == []


def test_a_specialist_hears_of_new_requests_and_replies_in_their_specialties(
    seeded_store: Store, specialist: CurrentUser
) -> None:
    assert "330" in specialist.specialty_codes and "320" not in specialist.specialty_codes
    new = add_conversation(seeded_store, practice_code="BAY001", at=T0 + timedelta(minutes=1))
    replied = add_conversation(seeded_store, practice_code="BAY002")
    add_message(
        seeded_store,
        replied,
        "question",
        T0 + timedelta(minutes=2),
        status=Status.MORE_INFO_REQUESTED,
    )
    add_message(
        seeded_store,
        replied,
        "reply",
        T0 + timedelta(minutes=3),
        author=DEMO_GP,
        role="gp",
        status=Status.AWAITING_SPECIALIST,
    )
    add_conversation(seeded_store, practice_code="BAY001", specialty_code="320")  # cardiology
    advised = add_conversation(seeded_store, practice_code="BAY001", at=T0 + timedelta(minutes=1))
    add_message(
        seeded_store, advised, "advice", T0 + timedelta(minutes=4), status=Status.ADVICE_RETURNED
    )

    with seeded_store.read_session() as session:
        found = arrivals_since(session, specialist, T0)
    assert [(a.conversation_id, a.kind) for a in found] == [
        (replied, ArrivalKind.GP_REPLIED),  # newest first
        (new, ArrivalKind.NEW_REQUEST),
    ]
    assert [a.text for a in found] == [
        "Dermatology: the GP replied",
        "Dermatology: new advice request",
    ]


def test_practice_managers_are_not_notified(seeded_store: Store) -> None:
    manager = load_user(seeded_store, DEMO_MANAGER)
    assert manager.practice_code is not None
    conversation = add_conversation(seeded_store, practice_code=manager.practice_code)
    add_message(
        seeded_store, conversation, "advice", T0 + timedelta(hours=1), status=Status.ADVICE_RETURNED
    )
    with seeded_store.read_session() as session:
        assert arrivals_since(session, manager, T0) == []


def test_the_first_sync_sets_the_watermark_and_each_arrival_is_told_once(
    seeded_store: Store, gp: CurrentUser
) -> None:
    assert gp.practice_code is not None
    history = add_conversation(seeded_store, practice_code=gp.practice_code)
    add_message(
        seeded_store, history, "advice", T0 + timedelta(minutes=1), status=Status.ADVICE_RETURNED
    )
    assert take_arrivals(seeded_store, gp) == []  # a fresh store's first sync: history

    fresh = add_conversation(seeded_store, practice_code=gp.practice_code)
    add_message(
        seeded_store, fresh, "advice", T0 + timedelta(hours=2), status=Status.ADVICE_RETURNED
    )
    told = take_arrivals(seeded_store, gp)
    assert [a.conversation_id for a in told] == [fresh]
    assert take_arrivals(seeded_store, gp) == []  # told once

    reopened = Store.open(Path(str(seeded_store.engine.url.database)))  # the next start of the app
    try:
        assert take_arrivals(reopened, gp) == []
    finally:
        reopened.close()


def test_an_empty_first_sync_still_lets_later_arrivals_through(
    seeded_store: Store, gp: CurrentUser
) -> None:
    assert take_arrivals(seeded_store, gp) == []
    assert gp.practice_code is not None
    conversation = add_conversation(seeded_store, practice_code=gp.practice_code)
    add_message(seeded_store, conversation, "question", T0, status=Status.MORE_INFO_REQUESTED)
    assert [a.kind for a in take_arrivals(seeded_store, gp)] == [ArrivalKind.MORE_INFO_REQUESTED]


def test_texts_never_carry_patient_data(seeded_store: Store, gp: CurrentUser) -> None:
    assert gp.practice_code is not None
    take_arrivals(seeded_store, gp)
    for status, kind in (
        (Status.ADVICE_RETURNED, "advice"),
        (Status.MORE_INFO_REQUESTED, "question"),
        (Status.CONVERTED, "conversion"),
    ):
        conversation = add_conversation(seeded_store, practice_code=gp.practice_code)
        add_message(seeded_store, conversation, kind, T0 + timedelta(hours=3), status=status)
    arrivals = take_arrivals(seeded_store, gp)
    assert len(arrivals) == 3
    words = [summary(arrivals), *(repr(a) for a in arrivals)]
    for text in words:
        assert NHS_NUMBER not in text and "Jane" not in text and "elbows" not in text


def arrival(kind: ArrivalKind, n: int = 0) -> Arrival:
    return Arrival(str(n), kind, "Dermatology", T0)


def test_more_than_three_arrivals_are_counted_in_one_line() -> None:
    three = [arrival(ArrivalKind.ADVICE_RETURNED, n) for n in range(3)]
    assert summary(three) == "\n".join(["Dermatology: advice returned"] * 3)
    five = [arrival(ArrivalKind.ADVICE_RETURNED, n) for n in range(4)]
    five.append(arrival(ArrivalKind.MORE_INFO_REQUESTED, 4))
    assert summary(five) == "5 answers and questions arrived"
    requests = [arrival(ArrivalKind.NEW_REQUEST, n) for n in range(4)]
    assert summary(requests) == "4 requests and replies arrived"


def _set_due(store: Store, conversation_id: str, due: datetime) -> None:
    with store.session() as session:
        session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(due_at=due)
        )


def test_a_request_going_overdue_is_told_once_to_its_practice_and_its_queue(
    seeded_store: Store, gp: CurrentUser, specialist: CurrentUser
) -> None:
    from bhcp_ag.services.arrivals import take_overdue

    late = add_conversation(seeded_store, practice_code="BAY001")
    answered = add_conversation(seeded_store, practice_code="BAY001", status=Status.ADVICE_RETURNED)
    elsewhere = add_conversation(seeded_store, practice_code="BAY002")
    for cid in (late, answered, elsewhere):
        _set_due(seeded_store, cid, T0 + timedelta(hours=2))
    assert take_overdue(seeded_store, gp, T0) == []  # the first look only sets the mark
    assert take_overdue(seeded_store, specialist, T0) == []
    at_due = T0 + timedelta(hours=2)
    assert take_overdue(seeded_store, gp, at_due) == []  # due now is not yet overdue

    told = take_overdue(seeded_store, gp, at_due + timedelta(minutes=1))
    assert [(a.conversation_id, a.kind) for a in told] == [(late, ArrivalKind.OVERDUE)]
    assert told[0].text == "Dermatology: the response is now overdue"
    assert take_overdue(seeded_store, gp, at_due + timedelta(minutes=2)) == []  # once

    queue = take_overdue(seeded_store, specialist, at_due + timedelta(hours=1))
    assert {a.conversation_id for a in queue} == {late, elsewhere}
    assert summary(queue * 2) == "4 requests are now overdue"
