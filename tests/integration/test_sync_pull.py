"""Pull at the protocol level: scope, pages and cursors, users, audit, and its cost.

Over HTTP to the real hub on SQLite and PostgreSQL, except the cost checks, which call
:func:`bhcp_ag.hub.pull.pull_page` on the test's database to count its SQL statements
and time a page of 1,000 conversations with four messages each.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from bhcp_ag.hub.access import Caller
from bhcp_ag.hub.accounts import user_by_username
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST, user_id
from bhcp_ag.hub.feed import append_feed
from bhcp_ag.hub.models import AuditEntry, Conversation, FeedEntry, Message
from bhcp_ag.hub.pull import pull_page

PULL = "/api/v1/sync/pull"


def _ids(snapshots: dict[str, Any]) -> set[str]:
    return set(snapshots)


def test_each_role_pulls_only_its_scope(sync, more_users) -> None:
    other_gp, _, cardiologist = more_users
    ours = sync.request()  # BAY001, dermatology
    second = sync.request()
    theirs = sync.request(practice_code="BAY002", specialty_code="320")
    sync.push(DEMO_GP, ours, second)
    sync.push(other_gp, theirs)
    sync.push(DEMO_SPECIALIST, sync.change("claim", ours["conversation_id"]))
    everything = {c["conversation_id"] for c in (ours, second, theirs)}
    seen = {
        username: _ids(sync.pull(username)[0])
        for username in (DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST, DEMO_ADMIN, other_gp, cardiologist)
    }
    assert seen[DEMO_GP] == seen[DEMO_MANAGER] == everything - {theirs["conversation_id"]}
    assert seen[DEMO_SPECIALIST] == everything - {theirs["conversation_id"]}
    assert seen[other_gp] == seen[cardiologist] == {theirs["conversation_id"]}
    assert seen[DEMO_ADMIN] == everything

    page = sync.pull_page(DEMO_GP)
    users = {user["id"]: user for user in page["users"]}
    assert set(users) == {user_id(DEMO_GP), user_id(DEMO_SPECIALIST)}  # requester, claimer
    assert users[user_id(DEMO_SPECIALIST)] == {
        "id": user_id(DEMO_SPECIALIST),
        "username": DEMO_SPECIALIST,
        "display_name": "Dr Rohan Mehta",
        "role": "specialist",
        "practice_code": None,
        "specialty_codes": ["330", "410"],
    }


def test_pages_lose_nothing_and_the_end_cursor_returns_nothing_new(sync) -> None:
    requests_ = [sync.request() for _ in range(7)]
    sync.push(DEMO_GP, *requests_)
    changed = [sync.change("claim", r["conversation_id"]) for r in requests_[:5:2]]
    sync.push(DEMO_SPECIALIST, *changed)
    cursor, pages = "", 0
    seen: list[tuple[str, int]] = []
    while True:
        page = sync.pull_page(DEMO_GP, cursor, limit=2)
        seen.extend((c["id"], c["version"]) for c in page["conversations"])
        pages, cursor = pages + 1, page["next_cursor"]
        if not page["more"]:
            break
    assert pages == 5  # ten feed entries, two a page
    newest = {cid: version for cid, version in seen}
    assert newest == {
        r["conversation_id"]: 2 if i in (0, 2, 4) else 1 for i, r in enumerate(requests_)
    }
    assert len(seen) == len(set(seen)) == 7  # snapshots changed since are left to their page

    end = sync.pull_page(DEMO_GP, cursor)
    assert (end["conversations"], end["users"], end["next_cursor"], end["more"]) == (
        [],
        [],
        cursor,
        False,
    )
    sync.push(DEMO_GP, sync.change("cancel", requests_[1]["conversation_id"], reason=""))
    after = sync.pull_page(DEMO_GP, cursor)
    assert [(c["id"], c["status"]) for c in after["conversations"]] == [
        (requests_[1]["conversation_id"], "cancelled")
    ]
    assert sync.pull(DEMO_SPECIALIST, cursor)[0].keys() == {requests_[1]["conversation_id"]}


def test_a_bad_cursor_or_limit_is_refused_in_words(hub) -> None:
    token = hub.token(DEMO_GP)
    for params, status, code in (
        ({"cursor": "yesterday"}, 400, "bad_cursor"),
        ({"cursor": "1.2.3"}, 400, "bad_cursor"),
        ({"limit": 0}, 422, "invalid_input"),
        ({"limit": 2001}, 422, "invalid_input"),
        ({"limit": "many"}, 422, "invalid_input"),
    ):
        response = hub.request("GET", PULL, token=token, params=params)
        assert (response.status_code, response.json()["code"]) == (status, code), params
        assert response.json()["detail"]
    assert hub.request("GET", PULL).status_code == 401


def test_every_pulled_conversation_is_an_audited_read(sync, hub_db: HubDatabase) -> None:
    requests_ = [sync.request() for _ in range(3)]
    sync.push(DEMO_GP, *requests_)
    sync.pull(DEMO_MANAGER)
    with hub_db.transaction() as session:
        reads = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "conversation.read",
                AuditEntry.user_id == user_id(DEMO_MANAGER),
            )
        ).all()
        [summary] = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sync.pull")
        ).all()
    assert {entry.object_id for entry in reads} == {r["conversation_id"] for r in requests_}
    assert {entry.detail["via"] for entry in reads} == {"pull"}
    assert summary.detail["conversations"] == 3


def _conversation_row(n: int) -> dict[str, Any]:
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC) + timedelta(minutes=n)
    return {
        "id": str(uuid.uuid4()), "version": 1, "practice_code": "BAY001",
        "requester_id": user_id(DEMO_GP), "specialty_code": "330", "priority": "ROUTINE",
        "status": "advice_returned", "patient_nhs_number": "9434765919",
        "question": "Rash " * 60, "clinical_summary": "Summary " * 80,
        "template_answers": '{"duration": "6 weeks"}',
        "created_at": at, "updated_at": at, "submitted_at": at, "due_at": at,
    }  # fmt: skip


def _bulk_conversations(database: HubDatabase, count: int, messages_each: int = 4) -> None:
    """``count`` conversations of BAY001 dermatology with their messages and feed entries."""
    conversations = [_conversation_row(n) for n in range(count)]
    messages = [
        {"id": str(uuid.uuid4()), "conversation_id": c["id"], "author_id": c["requester_id"],
         "author_role": "gp", "kind": "request", "body": "Message text " * 40,
         "created_at": c["created_at"] + timedelta(seconds=m)}
        for c in conversations
        for m in range(messages_each)
    ]  # fmt: skip
    feed = [
        {"xid": 0, "conversation_id": c["id"], "version": 1, "practice_code": "BAY001",
         "specialty_code": "330", "changed_at": c["created_at"]}
        for c in conversations
    ]  # fmt: skip
    with database.transaction() as session:
        for model, rows in ((Conversation, conversations), (Message, messages), (FeedEntry, feed)):
            session.execute(insert(model), rows)


def _gp(database: HubDatabase) -> Caller:
    with database.transaction() as session:
        user = user_by_username(session, DEMO_GP)
        assert user is not None
        return Caller.of(user, "token")


@pytest.mark.slow
def test_a_page_of_a_thousand_is_the_same_few_queries(
    hub_db: HubDatabase,
) -> None:
    _bulk_conversations(hub_db, 2000)
    caller, statements = _gp(hub_db), []
    event.listen(hub_db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    # Its time is measured in bench/ (bench_sync.py), not asserted here.
    page = pull_page(hub_db, caller, None, 1000, "127.0.0.1")
    assert len(page["conversations"]) == 1000 and page["more"] is True
    assert all(len(c["messages"]) == 4 for c in page["conversations"])
    assert len(statements) <= 12, statements  # the same few queries whatever the page size
    second = pull_page(hub_db, caller, page["next_cursor"], 1000, "127.0.0.1")
    assert len(second["conversations"]) == 1000 and second["more"] is False
    assert not {c["id"] for c in page["conversations"]} & {c["id"] for c in second["conversations"]}


@pytest.mark.parametrize("hub_database_url", ["postgres"], indirect=True)
def test_a_pull_holds_back_changes_behind_a_transaction_still_writing(
    sync, hub_db: HubDatabase
) -> None:
    first, second = sync.request(), sync.request()
    sync.push(DEMO_GP, first)
    _, cursor = sync.pull(DEMO_GP)
    slow = hub_db.session()  # a hub transaction that wrote first and commits last
    slow.begin()
    conversation = slow.get(Conversation, first["conversation_id"], with_for_update=True)
    assert conversation is not None
    conversation.medication = "Emollients"
    append_feed(slow, conversation)
    try:
        sync.push(DEMO_GP, second)  # commits while the slow transaction is still open
        held = sync.pull_page(DEMO_GP, cursor)
        assert (held["conversations"], held["next_cursor"]) == ([], cursor)
    finally:
        slow.commit()
        slow.close()
    snapshots, _ = sync.pull(DEMO_GP, cursor)
    assert set(snapshots) == {first["conversation_id"], second["conversation_id"]}
    assert snapshots[first["conversation_id"]]["medication"] == "Emollients"
