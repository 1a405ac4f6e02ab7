"""Applying pulled snapshots to a real local store: upserts, cursor, held-back, refusals."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bhcp_ag.store.db import Store
from bhcp_ag.store.models import (
    Attachment,
    Conversation,
    HeldBackConversation,
    Message,
    OutboxChange,
    RejectedChange,
    User,
)
from bhcp_ag.store.reference import user_id
from bhcp_ag.store.sync_state import (
    UNKNOWN_USER,
    apply_page,
    changes_waiting,
    cursor_key,
    held_back_ids,
    last_username,
    read_state,
    remember_username,
    replace_conversations,
)
from bhcp_ag.sync.push import settle
from bhcp_ag.sync.snapshots import snapshot_rows
from bhcp_ag.sync.wire import ChangeResult

GP = user_id("demo.gp")
SPECIALIST = user_id("demo.specialist")
KEY = cursor_key("https://hub.bay.example", GP)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def snapshot(conversation_id: str | None = None, **changes: Any) -> dict[str, Any]:
    """A conversation as the hub sends it (JSON types), with one request message."""
    cid = conversation_id or str(uuid.uuid4())
    body: dict[str, Any] = {
        "id": cid,
        "version": 1,
        "practice_code": "BAY001",
        "requester_id": GP,
        "specialty_code": "330",
        "priority": "ROUTINE",
        "status": "awaiting_specialist",
        "patient_nhs_number": "9434765919",
        "patient_birth_date": "1961-05-14",
        "patient_sex": "female",
        "question": "Is this lesion safe to monitor?",
        "clinical_summary": "Darker recently.",
        "medication": "",
        "results": "",
        "template_answers": {"lesion_site": "back"},
        "would_have_referred": "yes",
        "convert_authorisation": None,
        "created_at": "2026-11-23T10:00:00Z",
        "updated_at": "2026-11-23T10:00:01Z",
        "submitted_at": "2026-11-23T10:00:01Z",
        "due_at": "2026-11-25T10:00:01Z",
        "first_response_at": None,
        "closed_at": None,
        "claimed_by_id": None,
        "claimed_at": None,
        "specialist_outcome": None,
        "recommendation": None,
        "closing_outcome": None,
        "referral_avoided": None,
        "messages": [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, cid)),
                "author_id": GP,
                "author_role": "gp",
                "kind": "request",
                "body": "Is this lesion safe to monitor?",
                "specialist_outcome": None,
                "recommendation": None,
                "created_at": "2026-11-23T10:00:01Z",
            }
        ],
        "attachments": [],
    }
    body.update(changes)
    return body


def users() -> list[dict[str, Any]]:
    return [
        {
            "id": GP,
            "username": "demo.gp",
            "display_name": "Dr Amelia Hart",
            "role": "gp",
            "practice_code": "BAY001",
            "specialty_codes": [],
        }
    ]


def _count(store: Store, model: type) -> int:
    with store.read_session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_page_is_upserted_with_its_cursor(seeded_store: Store) -> None:
    first = [snapshot() for _ in range(3)]
    with seeded_store.session() as session:
        done = apply_page(session, snapshot_rows(first, users()), cursor_key=KEY, next_cursor="0.3")
    assert done.applied == 3 and done.held_back == ()
    changed = {**first[0], "status": "advice_returned", "updated_at": "2026-11-24T09:00:00Z"}
    with seeded_store.session() as session:
        apply_page(session, snapshot_rows([changed], users()), cursor_key=KEY, next_cursor="0.4")
    with seeded_store.read_session() as session:
        conv = session.get(Conversation, first[0]["id"])
        assert conv is not None
        assert conv.status == "advice_returned"
        assert conv.updated_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        assert json.loads(conv.template_answers) == {"lesion_site": "back"}
        assert read_state(session, KEY) == "0.4"
    assert (_count(seeded_store, Conversation), _count(seeded_store, Message)) == (3, 3)


def test_a_failure_mid_page_moves_neither_rows_nor_cursor(seeded_store: Store) -> None:
    with seeded_store.session() as session:
        apply_page(session, snapshot_rows([snapshot()], users()), cursor_key=KEY, next_cursor="0.1")
    # The second conversation names a practice this store does not know: the page's
    # conversations are written before it fails, and must all be rolled back.
    page = [snapshot(), snapshot(practice_code="ZZZ999")]
    with pytest.raises(IntegrityError), seeded_store.session() as session:
        apply_page(session, snapshot_rows(page, users()), cursor_key=KEY, next_cursor="0.3")
    with seeded_store.read_session() as session:
        assert read_state(session, KEY) == "0.1"
    assert (_count(seeded_store, Conversation), _count(seeded_store, Message)) == (1, 1)


def test_a_conversation_with_pending_changes_is_held_back(seeded_store: Store) -> None:
    mine = snapshot(status="awaiting_specialist")
    with seeded_store.session() as session:
        apply_page(session, snapshot_rows([mine], users()), cursor_key=KEY, next_cursor="0.1")
        session.add(
            OutboxChange(
                id=str(uuid.uuid4()),
                seq=1,
                kind="conversation.close",
                conversation_id=mine["id"],
                payload="{}",
                created_at=datetime.now(UTC),
            )
        )
    newer = {**mine, "status": "advice_returned"}
    with seeded_store.session() as session:
        done = apply_page(
            session, snapshot_rows([newer], users()), cursor_key=KEY, next_cursor="0.2"
        )
        assert done.held_back == (mine["id"],)
        assert held_back_ids(session) == []  # still pending: not yet to be fetched
    with seeded_store.read_session() as session:
        conv = session.get(Conversation, mine["id"])
        assert conv is not None and conv.status == "awaiting_specialist"
        assert session.get(HeldBackConversation, mine["id"]) is not None
        assert read_state(session, KEY) == "0.2"


def test_unknown_users_get_a_stand_in_until_a_pull_brings_them(seeded_store: Store) -> None:
    stranger = str(uuid.uuid4())
    claimed = snapshot(claimed_by_id=stranger, claimed_at="2026-11-23T11:00:00Z")
    with seeded_store.session() as session:
        replace_conversations(session, snapshot_rows([claimed]))
    with seeded_store.read_session() as session:
        user = session.get(User, stranger)
        assert user is not None and user.display_name == UNKNOWN_USER
    real = {**users()[0], "id": stranger, "username": "dr.patel", "display_name": "Dr Patel"}
    with seeded_store.session() as session:
        apply_page(session, snapshot_rows([claimed], [real]), cursor_key=KEY, next_cursor="0.1")
    with seeded_store.read_session() as session:
        user = session.get(User, stranger)
        assert user is not None and (user.username, user.display_name) == ("dr.patel", "Dr Patel")


def test_replacing_drops_local_only_rows(seeded_store: Store) -> None:
    snap = snapshot()
    with seeded_store.session() as session:
        replace_conversations(session, snapshot_rows([snap]))
        session.add(
            Message(
                id=str(uuid.uuid4()),
                conversation_id=snap["id"],
                author_id=GP,
                author_role="gp",
                kind="reply",
                body="An optimistic reply the hub refused.",
                created_at=datetime.now(UTC),
            )
        )
    with seeded_store.session() as session:
        replace_conversations(session, snapshot_rows([snap]))
    assert _count(seeded_store, Message) == 1


def _pending(store: Store, kind: str, conversation_id: str, payload: dict[str, Any]) -> Any:
    from bhcp_ag.store.conversations import record_change
    from bhcp_ag.store.sync_state import pending_batch

    with store.session() as session:
        record_change(session, kind, payload, conversation_id=conversation_id, user_id="u-1")
    with store.read_session() as session:
        return pending_batch(session, 100, None)[-1]


def test_a_refused_reply_is_undone_and_its_words_kept(seeded_store: Store) -> None:
    snap = snapshot(status="awaiting_specialist")
    with seeded_store.session() as session:
        replace_conversations(session, snapshot_rows([snap]))
    body = "The rash has spread to the elbows since the photo."
    message_id = str(uuid.uuid4())
    change = _pending(
        seeded_store, "conversation.reply", snap["id"], {"message_id": message_id, "body": body}
    )
    with seeded_store.session() as session:
        session.add(
            Message(
                id=message_id,
                conversation_id=snap["id"],
                author_id=GP,
                author_role="gp",
                kind="reply",
                body=body,
                created_at=datetime.now(UTC),
            )
        )
    refused = ChangeResult(change.id, "rejected", "transition_refused", "Not now.", snap)
    with seeded_store.session() as session:
        [rejection] = settle(session, [change], [refused], datetime.now(UTC))
    assert rejection.kept_text and not rejection.back_to_draft
    with seeded_store.read_session() as session:
        kept = session.get(RejectedChange, change.id)
        assert kept is not None and (kept.kept_text, kept.reason) == (body, "Not now.")
        assert session.get(Message, message_id) is None
        assert changes_waiting(session) == 0
        outbox = session.get(OutboxChange, change.id)
        assert outbox is not None and outbox.state == "rejected"


def test_a_refused_submit_the_hub_never_stored_is_a_draft_again(seeded_store: Store) -> None:
    snap = snapshot(status="submitted", attachments=[])
    with seeded_store.session() as session:
        replace_conversations(session, snapshot_rows([snap]))
    message_id = snap["messages"][0]["id"]
    change = _pending(seeded_store, "conversation.submit", snap["id"], {"message_id": message_id})
    refused = ChangeResult(change.id, "rejected", "invalid_request", "Pick a specialty.", None)
    with seeded_store.session() as session:
        [rejection] = settle(session, [change], [refused], datetime.now(UTC))
    assert rejection.back_to_draft
    with seeded_store.read_session() as session:
        conv = session.get(Conversation, snap["id"])
        assert conv is not None
        assert (conv.status, conv.submitted_at, conv.due_at) == ("draft", None, None)
        assert conv.question == snap["question"]
        assert session.get(Message, message_id) is None


def test_the_last_username_lives_in_app_state(seeded_store: Store) -> None:
    with seeded_store.session() as session:
        assert last_username(session) is None
        remember_username(session, "demo.gp")
        remember_username(session, "demo.specialist")
    with seeded_store.read_session() as session:
        assert last_username(session) == "demo.specialist"


def test_pulled_attachments_come_with_their_bytes(seeded_store: Store) -> None:
    import hashlib

    sha = hashlib.sha256(PNG).hexdigest()
    snap = snapshot()
    snap["attachments"] = [
        {
            "id": str(uuid.uuid4()),
            "message_id": snap["messages"][0]["id"],
            "sha256": sha,
            "filename": "rash.png",
            "mime_type": "image/png",
            "size": len(PNG),
            "created_at": "2026-11-23T10:00:01Z",
        }
    ]
    rows = snapshot_rows([snap], users())
    rows.contents = [{"sha256": sha, "mime_type": "image/png", "size": len(PNG), "content": PNG}]
    with seeded_store.session() as session:
        apply_page(session, rows, cursor_key=KEY, next_cursor="0.1")
    assert _count(seeded_store, Attachment) == 1


def test_bulk_rows_are_stored_as_the_orm_stores_them(seeded_store: Store) -> None:
    """The bulk path encodes values itself; they must be byte-for-byte the ORM's."""
    from sqlalchemy import text

    pulled = snapshot(referral_avoided=True, first_response_at="2026-11-24T09:30:00.000001Z")
    with seeded_store.session() as session:
        apply_page(session, snapshot_rows([pulled], users()), cursor_key=KEY, next_cursor="1")
        rows = snapshot_rows([pulled]).conversations
        session.add(Conversation(**{**rows[0], "id": "orm-written"}))
    columns = "created_at, due_at, first_response_at, patient_birth_date, referral_avoided"
    with seeded_store.engine.connect() as connection:
        raw = connection.execute(text(f"SELECT id, {columns} FROM conversations ORDER BY id")).all()
    by_id = {row[0]: tuple(row[1:]) for row in raw}
    assert by_id["orm-written"] == by_id[pulled["id"]]
    assert by_id["orm-written"][2] == "2026-11-24 09:30:00.000001"
