"""The demo year's plan: pure, deterministic, in proportion, and fit for store and hub alike."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from bhcp_ag.domain import clock
from bhcp_ag.domain.conversation import Status, referral_avoided
from bhcp_ag.domain.demo import (
    DEMO_GP,
    DEMO_SPECIALIST,
    DemoPlan,
    DemoWording,
    plan_demo_year,
    user_id,
)
from bhcp_ag.domain.patient import check_nhs_number
from bhcp_ag.domain.specialties import SpecialtyCatalogue

END = date(2025, 3, 31)
AS_OF = datetime(2025, 3, 31, tzinfo=clock.LONDON).astimezone(UTC)
CONVERSATION_COLUMNS = {
    "id", "practice_code", "requester_id", "specialty_code", "priority", "status",
    "patient_nhs_number", "patient_birth_date", "patient_sex", "question", "clinical_summary",
    "medication", "results", "template_answers", "would_have_referred", "convert_authorisation",
    "created_at", "updated_at", "submitted_at", "due_at", "first_response_at", "closed_at",
    "claimed_by_id", "claimed_at", "specialist_outcome", "recommendation", "closing_outcome",
    "referral_avoided", "first_due_at", "response_working_days", "patient_age_band",
    "advice_useful", "form_specialty_code", "patient_family_name", "patient_given_name",
}  # fmt: skip
MESSAGE_COLUMNS = {
    "id", "conversation_id", "author_id", "author_role", "kind", "body",
    "specialist_outcome", "recommendation", "created_at",
    "from_specialty_code", "to_specialty_code", "responsible_consultant",
}  # fmt: skip


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return plan_demo_year(conversations=3000, seed=7, end=END)


@pytest.fixture(scope="module")
def sent(plan: DemoPlan) -> list[dict]:
    return [row for row in plan.conversations if row["status"] != Status.DRAFT]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def test_the_same_arguments_give_the_same_plan_and_another_seed_does_not() -> None:
    first, again = (plan_demo_year(conversations=400, seed=11, end=END) for _ in range(2))
    other = plan_demo_year(conversations=400, seed=12, end=END)
    assert first == again
    assert first.conversations != other.conversations


def test_planning_imports_no_database_or_ui_code() -> None:
    code = (
        "import sys, bhcp_ag.domain.demo as d; "
        "d.plan_demo_year(conversations=50, seed=1, end=__import__('datetime').date(2025, 3, 31)); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'PySide6', 'alembic') or m.startswith(('bhcp_ag.store', 'bhcp_ag.hub'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_rows_are_plain_columns_with_aware_utc_times(plan: DemoPlan) -> None:
    assert all(set(row) == CONVERSATION_COLUMNS for row in plan.conversations)
    assert all(set(row) == MESSAGE_COLUMNS for row in plan.messages)
    moments = [v for row in plan.conversations + plan.messages for v in row.values()]
    times = [m for m in moments if isinstance(m, datetime)]
    assert times and all(m.tzinfo is UTC for m in times)
    assert all(m["created_at"] < AS_OF for m in plan.messages)
    ids = [row["id"] for row in plan.conversations + plan.messages]
    assert len(set(ids)) == len(ids)


def test_every_row_refers_to_a_planned_or_demo_user(plan: DemoPlan) -> None:
    known = {user_id(p.username) for p in plan.people} | {
        user_id(DEMO_GP),
        user_id(DEMO_SPECIALIST),
    }
    referred = {row["requester_id"] for row in plan.conversations}
    referred |= {row["claimed_by_id"] for row in plan.conversations if row["claimed_by_id"]}
    referred |= {message["author_id"] for message in plan.messages}
    assert referred <= known
    conversations = {row["id"] for row in plan.conversations}
    assert {message["conversation_id"] for message in plan.messages} <= conversations


def test_user_ids_agree_with_the_store_and_the_hub() -> None:
    from bhcp_ag.hub import demo_users
    from bhcp_ag.store import reference

    for name in (DEMO_GP, DEMO_SPECIALIST, "Isabel.Hartley "):
        assert user_id(name) == reference.user_id(name) == demo_users.user_id(name)


def test_proportions_follow_the_uk_picture(plan: DemoPlan, sent: list[dict]) -> None:
    summary = plan.summary()
    yes = [row for row in sent if row["would_have_referred"] == "yes"]
    assert 0.40 <= _share(len(yes), len(sent)) <= 0.60
    assert 0.58 <= _share(sum(bool(r["referral_avoided"]) for r in yes), len(yes)) <= 0.75
    assert 0.75 <= _share(summary.within_target, summary.answered) <= 0.90
    urgent = sum(row["priority"] == "URGENT" for row in plan.conversations)
    assert 0.06 <= _share(urgent, len(plan.conversations)) <= 0.14
    assert 3 <= len(plan.messages) / len(plan.conversations) <= 5
    by_specialty = Counter(row["specialty_code"] for row in sent)
    assert by_specialty.most_common(1)[0][0] == "330"


def test_referral_avoided_and_the_summary_agree_with_the_rows(plan: DemoPlan) -> None:
    for row in plan.conversations:
        expected = referral_avoided(
            row["would_have_referred"], row["status"], row["closing_outcome"]
        )
        assert row["referral_avoided"] is expected
    summary = plan.summary()
    assert summary.conversations == 3000 and summary.messages == len(plan.messages)
    assert summary.by_status == dict(
        sorted(Counter(r["status"] for r in plan.conversations).items())
    )
    assert summary.users == len(plan.people)
    assert (summary.first_day, summary.last_day) == (date(2024, 3, 31), date(2025, 3, 30))


def test_the_demo_users_have_drafts_a_queue_and_claims(plan: DemoPlan) -> None:
    drafts = [row for row in plan.conversations if row["status"] == Status.DRAFT]
    assert len(drafts) == 5 and all(row["requester_id"] == user_id(DEMO_GP) for row in drafts)
    for code in ("330", "410"):
        queue = [
            row
            for row in plan.conversations
            if row["specialty_code"] == code and row["status"] == Status.AWAITING_SPECIALIST
        ]
        assert len(queue) >= 4
    assert any(row["claimed_by_id"] == user_id(DEMO_SPECIALIST) for row in plan.conversations)


def test_patients_are_synthetic_and_distinct(plan: DemoPlan) -> None:
    numbers = [row["patient_nhs_number"] for row in plan.conversations]
    assert all(check_nhs_number(n) == n and n.startswith("999") for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_the_wording_covers_every_specialty(catalogue: SpecialtyCatalogue) -> None:
    wording = DemoWording.load()
    codes = {specialty.tfc_code for specialty in catalogue.all()}
    assert set(wording.scenarios) == codes
    assert set(wording.specialty_volume) <= codes and set(wording.age_profile) <= codes
    assert set(wording.recommendations) == set(wording.closing_outcomes) == {
        "managed", "tests", "referred"
    }  # fmt: skip
    assert DemoWording.load() is wording  # read once
