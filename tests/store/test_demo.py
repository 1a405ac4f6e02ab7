"""The demo year: realistic proportions, valid content, determinism and the empty-store rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, func, select

from bhcp_ag.domain import clock
from bhcp_ag.domain.conversation import ConvertAuthorisation, Status, referral_avoided
from bhcp_ag.domain.patient import age_band, age_in_years, check_nhs_number
from bhcp_ag.domain.request import submit_problems
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.store.conversations import content_of
from bhcp_ag.store.db import Store
from bhcp_ag.store.demo import DemoDataRefused, DemoSummary, generate_demo_data
from bhcp_ag.store.models import (
    Base,
    Conversation,
    Message,
    OutboxChange,
    RejectedChange,
    User,
)
from bhcp_ag.store.reference import DEMO_GP, DEMO_SPECIALIST, user_id

END = date(2025, 3, 31)
AS_OF = datetime(2025, 3, 31, tzinfo=clock.LONDON).astimezone(UTC)
MakeStore = Callable[[Path], Store]


@pytest.fixture(scope="module")
def demo(
    make_store: MakeStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, DemoSummary]]:
    store = make_store(tmp_path_factory.mktemp("demo") / "store.sqlite3")
    summary = generate_demo_data(store, conversations=4000, seed=7, end=END)
    yield store, summary
    store.close()


@pytest.fixture(scope="module")
def conversations(demo: tuple[Store, DemoSummary]) -> list[Conversation]:
    with demo[0].session() as session:
        return list(session.scalars(select(Conversation)))


@pytest.fixture(scope="module")
def submitted(conversations: list[Conversation]) -> list[Conversation]:
    return [c for c in conversations if c.status != Status.DRAFT]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _submitted_day(conv: Conversation) -> date:
    assert conv.submitted_at is not None
    return conv.submitted_at.astimezone(clock.LONDON).date()


# --- proportions ---------------------------------------------------------------------------


def test_about_half_would_have_referred(submitted: list[Conversation]) -> None:
    yes = sum(c.would_have_referred == "yes" for c in submitted)
    assert 0.40 <= _share(yes, len(submitted)) <= 0.60


def test_about_two_thirds_of_would_have_referred_are_avoided(
    submitted: list[Conversation],
) -> None:
    yes = [c for c in submitted if c.would_have_referred == "yes"]
    avoided = sum(bool(c.referral_avoided) for c in yes)
    assert 0.58 <= _share(avoided, len(yes)) <= 0.75
    assert not any(c.referral_avoided for c in submitted if c.would_have_referred != "yes")


def test_most_first_responses_are_within_target_with_a_tail_of_breaches(
    submitted: list[Conversation],
) -> None:
    answered = [c for c in submitted if c.first_response_at is not None]
    within = sum(c.first_response_at <= c.due_at for c in answered)  # type: ignore[operator]
    assert 0.75 <= _share(within, len(answered)) <= 0.90
    late = [c for c in answered if c.first_response_at > c.due_at]  # type: ignore[operator]
    assert max(clock.working_days_between(c.due_at, c.first_response_at) for c in late) > 1  # type: ignore[arg-type]


def test_the_reports_facts_are_filled_and_consistent(
    conversations: list[Conversation], demo: tuple[Store, DemoSummary]
) -> None:
    targets = ResponseTargets.load()
    within = 0
    for c in conversations:
        if c.status == Status.DRAFT:
            assert (c.first_due_at, c.response_working_days, c.patient_age_band) == (None,) * 3
            continue
        assert c.submitted_at is not None and c.patient_birth_date is not None
        days = targets.working_days(c.specialty_code, c.priority)
        assert c.first_due_at == c.due_at == clock.due_at(c.submitted_at, days)
        assert c.patient_age_band == age_band(c.patient_birth_date, _submitted_day(c))
        if c.first_response_at is None:
            assert c.response_working_days is None
            continue
        assert c.response_working_days is not None and c.response_working_days >= 0
        expected = clock.working_days_between(c.submitted_at, c.first_response_at)
        assert c.response_working_days == pytest.approx(expected)
        within += c.first_response_at <= c.first_due_at
    assert within == demo[1].within_target


def test_priorities_are_mostly_routine_and_never_two_week_wait(
    conversations: list[Conversation],
) -> None:
    priorities = Counter(c.priority for c in conversations)
    assert set(priorities) == {"ROUTINE", "URGENT"}
    assert 0.06 <= _share(priorities["URGENT"], len(conversations)) <= 0.14


def test_some_are_cancelled_and_some_converted_only_where_authorised(
    submitted: list[Conversation],
) -> None:
    statuses = Counter(c.status for c in submitted)
    assert 0.01 <= _share(statuses["cancelled"], len(submitted)) <= 0.035
    converted = [c for c in submitted if c.status == Status.CONVERTED]
    assert converted
    assert all(
        c.convert_authorisation == ConvertAuthorisation.AUTHORISED_TO_CONVERT for c in converted
    )


def test_messages_average_three_to_five_per_conversation(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    with store.session() as session:
        messages = session.scalar(select(func.count()).select_from(Message)) or 0
    assert messages == summary.messages
    assert 3 <= messages / summary.conversations <= 5


def test_volumes_follow_list_size_specialty_mix_and_season(
    submitted: list[Conversation],
) -> None:
    by_practice = Counter(c.practice_code for c in submitted)
    assert by_practice["BAY001"] >= 0.03 * len(submitted)  # the demo GP's practice is busy
    by_specialty = Counter(c.specialty_code for c in submitted)
    assert by_specialty.most_common(1)[0][0] == "330"
    assert by_specialty["330"] > 3 * by_specialty["191"]
    by_month = Counter(_submitted_day(c).month for c in submitted)
    assert by_month[8] < 0.85 * by_month[9]
    weekdays = sum(clock.is_working_date(_submitted_day(c)) for c in submitted)
    assert weekdays >= 0.95 * len(submitted)


# --- clinical sense ----------------------------------------------------------------------


def test_due_at_is_the_clock_applied_to_the_target(submitted: list[Conversation]) -> None:
    targets = ResponseTargets.load()
    for c in submitted:
        assert c.submitted_at is not None
        expected = clock.due_at(c.submitted_at, targets.working_days(c.specialty_code, c.priority))
        assert c.due_at == expected


def test_patients_fit_their_specialty(submitted: list[Conversation]) -> None:
    for c in submitted:
        assert c.patient_birth_date is not None
        age = age_in_years(c.patient_birth_date, _submitted_day(c))
        if c.specialty_code == "420":
            assert age < 18
        elif c.specialty_code == "430":
            assert age >= 75
        if c.specialty_code == "502":
            assert c.patient_sex == "female"
    breast = [c.patient_sex for c in submitted if c.specialty_code == "103"]
    assert breast.count("female") > 0.8 * len(breast)


def test_every_nhs_number_is_valid(conversations: list[Conversation]) -> None:
    for c in conversations:
        assert check_nhs_number(c.patient_nhs_number) == c.patient_nhs_number
        assert c.patient_nhs_number.startswith("999")
    assert len({c.patient_nhs_number for c in conversations}) == len(conversations)


def test_every_sent_request_would_pass_the_submit_checks(
    submitted: list[Conversation], catalogue: SpecialtyCatalogue
) -> None:
    for c in submitted:
        template = catalogue.template(c.specialty_code)
        assert submit_problems(content_of(c), template, _submitted_day(c)) == {}, c.id


def test_referral_avoided_agrees_with_the_domain_definition(
    conversations: list[Conversation],
) -> None:
    for c in conversations:
        expected = referral_avoided(c.would_have_referred, c.status, c.closing_outcome)
        assert c.referral_avoided is expected


def test_all_times_are_utc_aware_and_in_order(
    demo: tuple[Store, DemoSummary], conversations: list[Conversation]
) -> None:
    with demo[0].session() as session:
        message_times = list(session.scalars(select(Message.created_at)))
    columns = ("created_at", "updated_at", "submitted_at", "due_at", "first_response_at")
    moments = [getattr(c, name) for c in conversations for name in columns] + message_times
    assert all(m is None or m.tzinfo is UTC for m in moments)
    assert all(m is None or m < AS_OF for m in message_times)
    for c in conversations:
        assert c.created_at <= (c.submitted_at or c.created_at) <= c.updated_at
        if c.first_response_at is not None:
            assert c.submitted_at < c.first_response_at <= c.updated_at  # type: ignore[operator]


def test_threads_start_with_the_request_and_advice_carries_a_recommendation(
    demo: tuple[Store, DemoSummary],
) -> None:
    with demo[0].session() as session:
        rows = session.execute(
            select(
                Message.conversation_id,
                Message.kind,
                Message.specialist_outcome,
                Message.recommendation,
                Message.author_role,
            ).order_by(Message.conversation_id, Message.created_at)
        ).all()
    first: dict[str, str] = {}
    for conversation_id, kind, outcome, recommendation, role in rows:
        first.setdefault(conversation_id, kind)
        if outcome == "RETURN_TO_REFERRER_WITH_ADVICE":
            assert recommendation is not None and kind == "advice" and role == "specialist"
    assert set(first.values()) == {"request"}
    kinds = Counter(row.kind for row in rows)
    assert {"request", "question", "reply", "advice", "follow_up", "note"} <= set(kinds)


# --- the state at the end of the year ------------------------------------------------------


def test_recent_conversations_are_open_and_older_ones_mostly_closed(
    submitted: list[Conversation],
) -> None:
    recent = [c for c in submitted if (END - _submitted_day(c)).days <= 14]
    older = [c for c in submitted if (END - _submitted_day(c)).days > 60]
    recent_states = Counter(c.status for c in recent)
    assert {"awaiting_specialist", "advice_returned", "closed"} <= set(recent_states)
    assert sum(not Status(c.status).is_open for c in older) >= 0.97 * len(older)
    open_now = [c for c in submitted if Status(c.status).is_open]
    assert any(c.claimed_by_id for c in open_now if c.status == "awaiting_specialist")
    assert any(c.due_at < AS_OF for c in open_now if c.status == "awaiting_specialist")  # type: ignore[operator]


def test_the_demo_users_have_work_to_show(conversations: list[Conversation]) -> None:
    drafts = [c for c in conversations if c.status == Status.DRAFT]
    assert drafts and all(c.requester_id == user_id(DEMO_GP) for c in drafts)
    assert all(c.submitted_at is None and c.due_at is None for c in drafts)
    assert sum(c.requester_id == user_id(DEMO_GP) for c in conversations) >= 20
    for code in ("330", "410"):
        queue = [
            c
            for c in conversations
            if c.specialty_code == code and c.status == Status.AWAITING_SPECIALIST
        ]
        assert len(queue) >= 4
    assert any(c.claimed_by_id == user_id(DEMO_SPECIALIST) for c in conversations)


def test_the_summary_matches_the_rows(
    demo: tuple[Store, DemoSummary], conversations: list[Conversation]
) -> None:
    _, summary = demo
    assert summary.conversations == len(conversations) == 4000
    assert summary.by_status == dict(sorted(Counter(c.status for c in conversations).items()))
    assert summary.drafts == summary.by_status["draft"]
    assert summary.avoided == sum(bool(c.referral_avoided) for c in conversations)
    assert summary.would_have_referred == sum(c.would_have_referred == "yes" for c in conversations)
    assert summary.answered == sum(c.first_response_at is not None for c in conversations)
    assert (summary.first_day, summary.last_day) == (date(2024, 3, 31), date(2025, 3, 30))


def test_generated_staff_fill_every_practice_and_specialty(
    demo: tuple[Store, DemoSummary],
) -> None:
    with demo[0].session() as session:
        users = list(session.scalars(select(User)))
    gps = Counter(u.practice_code for u in users if u.role == "gp")
    assert len(gps) == 47 and all(3 <= n <= 7 for n in gps.values())
    specialists = Counter(
        code for u in users if u.role == "specialist" for code in u.specialty_codes.split(",")
    )
    assert len(specialists) == 24 and all(2 <= n <= 5 for n in specialists.values())
    assert len({u.display_name for u in users}) == len(users)


# --- determinism and the empty-store rule -------------------------------------------------


def _dump(store: Store) -> dict[str, list[Row[Any]]]:
    with store.engine.connect() as connection:
        return {
            table.name: list(
                connection.execute(table.select().order_by(*table.primary_key.columns))
            )
            for table in Base.metadata.sorted_tables
        }


def test_the_same_seed_gives_identical_rows_and_another_seed_does_not(
    make_store: MakeStore, tmp_path: Path
) -> None:
    dumps = []
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        store = make_store(tmp_path / f"{name}.sqlite3")
        generate_demo_data(store, conversations=600, seed=seed, end=END)
        dumps.append(_dump(store))
        store.close()
    assert dumps[0] == dumps[1]
    assert dumps[0]["conversations"] != dumps[2]["conversations"]


def test_refuses_a_store_with_conversations_unless_asked_to_replace(store: Store) -> None:
    generate_demo_data(store.engine, conversations=100, end=END)
    with pytest.raises(DemoDataRefused, match="already holds 100 conversations"):
        generate_demo_data(store, conversations=100, end=END)
    with store.session() as session:
        old_id = session.scalars(select(Conversation.id)).first()
        session.add(
            OutboxChange(
                id="c1",
                seq=1,
                kind="conversation.reply",
                payload="{}",
                conversation_id=old_id,
                created_at=AS_OF,
            )
        )
        session.add(
            RejectedChange(
                change_id="c0",
                conversation_id=old_id,
                kind="reply",
                reason="Closed meanwhile",
                rejected_at=AS_OF,
            )
        )
    summary = generate_demo_data(store, conversations=150, seed=3, end=END, replace=True)
    with store.session() as session:
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (Conversation, Message, OutboxChange, RejectedChange)
        ]
        assert session.get(Conversation, old_id) is None
    assert counts == [150, summary.messages, 0, 0]


@pytest.mark.slow
def test_twenty_thousand_conversations_keep_their_proportions(
    store: Store,
) -> None:
    # How long it takes is measured by bench/ (the demo stores it makes), not asserted here.
    summary = generate_demo_data(store, conversations=20_000, seed=2017, end=END)
    assert summary.conversations == 20_000
    assert 0.40 <= _share(summary.would_have_referred, summary.conversations) <= 0.60
    assert 0.58 <= _share(summary.avoided, summary.would_have_referred) <= 0.75
    assert 0.75 <= _share(summary.within_target, summary.answered) <= 0.90
    assert 3 <= summary.messages / summary.conversations <= 5
