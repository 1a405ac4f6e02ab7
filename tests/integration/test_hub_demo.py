"""Demo conversations at the hub: loaded from the shared plan, pulled by the demo users.

On the real hub over SQLite and PostgreSQL: 300 planned conversations go into the hub's
tables with their messages, staff and feed entries, then ``demo.gp`` pulls over HTTP and
gets exactly their practice's conversations, with the planned messages.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from argon2 import Parameters, Type
from sqlalchemy import delete, func, select

from bhcp_ag.domain import clock
from bhcp_ag.domain.demo import DemoPlan, plan_demo_year
from bhcp_ag.domain.patient import age_band
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_conversations import DemoConversationsRefused, load_demo_conversations
from bhcp_ag.hub.demo_users import DEMO_GP, DEMO_SPECIALIST, user_id
from bhcp_ag.hub.models import Conversation, FeedEntry, Message, User
from bhcp_ag.hub.security import Passwords

END = date(2026, 11, 20)
SEED = 31
CONVERSATIONS = 300
CHEAP_ARGON2 = Parameters(
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=1024, parallelism=1
)


def _load(database: HubDatabase, conversations: int = CONVERSATIONS) -> Any:
    with database.transaction() as session:
        return load_demo_conversations(
            session,
            conversations=conversations,
            seed=SEED,
            end=END,
            passwords=Passwords(CHEAP_ARGON2),
        )


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return plan_demo_year(conversations=CONVERSATIONS, seed=SEED, end=END)


def test_demo_gp_pulls_their_practices_conversations_with_their_messages(
    hub_db: HubDatabase, sync: Any, plan: DemoPlan
) -> None:
    summary = _load(hub_db)
    sent = [row for row in plan.conversations if row["status"] != "draft"]
    assert summary.conversations == len(sent) == CONVERSATIONS - 5  # drafts stay home
    ours = {row["id"] for row in sent if row["practice_code"] == "BAY001"}
    assert ours and len(ours) < len(sent)  # other practices' conversations are there too
    planned: dict[str, list[str]] = defaultdict(list)
    for message in plan.messages:
        planned[message["conversation_id"]].append(message["id"])

    snapshots, _ = sync.pull(DEMO_GP)

    assert set(snapshots) == ours
    for conversation_id, snapshot in snapshots.items():
        assert snapshot["practice_code"] == "BAY001" and snapshot["version"] == 1
        assert [m["id"] for m in snapshot["messages"]] == planned[conversation_id]
        assert snapshot["messages"][0]["kind"] == "request"
    page = sync.pull_page(DEMO_GP, limit=2000)
    names = {user["id"]: user["username"] for user in page["users"]}
    assert names[user_id(DEMO_GP)] == DEMO_GP
    assert {row["requester_id"] for row in sent if row["id"] in ours} <= set(names)


def test_the_hub_holds_the_planned_rows_and_one_feed_entry_each(
    hub_db: HubDatabase, plan: DemoPlan
) -> None:
    _load(hub_db)
    sent = {row["id"]: row for row in plan.conversations if row["status"] != "draft"}
    with hub_db.transaction() as session:
        stored = {c.id: c for c in session.scalars(select(Conversation))}
        feed = list(session.scalars(select(FeedEntry).order_by(FeedEntry.id)))
        bodies = {m_id: body for m_id, body in session.execute(select(Message.id, Message.body))}
        specialist = session.get(User, user_id(DEMO_SPECIALIST))
        assert specialist is not None and specialist.specialty_codes == ("330", "410")
        staff = {p.username: p for p in plan.people}
        generated = list(session.scalars(select(User).where(User.username.in_(list(staff)))))
        assert len(generated) == len(staff)
        assert all(u.specialty_codes == staff[u.username].specialty_codes for u in generated)
    assert set(stored) == set(sent)
    assert bodies == {message["id"]: message["body"] for message in plan.messages}
    for conversation_id, row in sent.items():
        conversation = stored[conversation_id]
        assert conversation.status == row["status"] and conversation.due_at == row["due_at"]
        assert conversation.template_answers == row["template_answers"]
    assert [entry.conversation_id for entry in feed] == sorted(sent)
    assert {(entry.version, entry.practice_code) for entry in feed} == {
        (1, sent[entry.conversation_id]["practice_code"]) for entry in feed
    }
    if hub_db.dialect == "postgresql":
        assert len({entry.xid for entry in feed}) == 1 and feed[0].xid > 0


def test_the_reports_facts_are_filled_and_consistent(hub_db: HubDatabase, plan: DemoPlan) -> None:
    summary = _load(hub_db)
    with hub_db.transaction() as session:
        stored = list(session.scalars(select(Conversation)))
    targets = ResponseTargets.load()
    answered = [c for c in stored if c.first_response_at is not None]
    assert answered and len(answered) == summary.answered
    for c in stored:
        assert c.submitted_at is not None and c.patient_birth_date is not None
        days = targets.working_days(c.specialty_code, c.priority)
        assert c.first_due_at == c.due_at == clock.due_at(c.submitted_at, days)
        sent_on = c.submitted_at.astimezone(clock.LONDON).date()
        assert c.patient_age_band == age_band(c.patient_birth_date, sent_on)
        if c.first_response_at is None:
            assert c.response_working_days is None
            continue
        assert c.response_working_days is not None and c.response_working_days >= 0
        expected = clock.working_days_between(c.submitted_at, c.first_response_at)
        assert c.response_working_days == pytest.approx(expected)
    within = sum(c.first_response_at <= c.first_due_at for c in answered)  # type: ignore[operator]
    assert within == summary.within_target


def test_generated_staff_cannot_sign_in(hub_db: HubDatabase, hub: Any, plan: DemoPlan) -> None:
    _load(hub_db)
    username = plan.people[0].username
    for password in ("", "demo-password-2026", username):
        assert hub.sign_in(username, password).status_code in (401, 422)
    assert hub.sign_in(DEMO_GP).status_code == 200


def test_refuses_a_hub_that_already_holds_conversations(
    hub_db: HubDatabase, add_conversation: Any
) -> None:
    add_conversation()
    with pytest.raises(DemoConversationsRefused, match="already holds 1 conversations"):
        _load(hub_db)
    with hub_db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_refuses_a_hub_without_the_demo_accounts(hub_db: HubDatabase) -> None:
    with hub_db.transaction() as session:
        session.execute(delete(User).where(User.username.like("demo.%")))
    with pytest.raises(DemoConversationsRefused, match="bhcp-ag-hub demo"):
        _load(hub_db)


@pytest.mark.slow
def test_twenty_thousand_conversations_load_with_one_feed_entry_each(
    hub_db: HubDatabase,
) -> None:
    # How long it takes is measured by bench/bench_sync.py, not asserted here.
    summary = _load(hub_db, 20_000)
    with hub_db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(FeedEntry)) == 19_995
    assert summary.conversations == 19_995 and 3 <= summary.messages / 19_995 <= 5
