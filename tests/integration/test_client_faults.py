"""Client sync faults against the real hub on loopback, on SQLite and PostgreSQL.

Faults are real where they can be (a stopped hub, a revoked token, a claim lost to
another specialist); the desks' ``requests`` adapter fakes only what a real part cannot
produce on demand: an answer lost after the hub committed, a 5xx (see
``_client_helpers.py``). Every test ends with both ends agreeing and every change applied
exactly once.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.store.models import Conversation, OutboxChange, RejectedChange
from bhcp_ag.store.sync_state import pending_batch
from bhcp_ag.sync.client import HubClient
from bhcp_ag.sync.push import wire_change
from bhcp_ag.sync.report import SyncState
from tests.integration._client_helpers import (
    FORM,
    Desk,
    RestartableHub,
    add_message,
    advise,
    assert_agree,
    claim,
    live_hub,
    open_desk,
    request_messages,
    submit,
)

__all__ = ["live_hub", "open_desk"]  # the fixtures, used here by name


def test_with_the_hub_down_changes_wait_and_go_when_it_is_back(
    live_hub: RestartableHub, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(live_hub.url, "demo.gp")
    live_hub.stop()
    conversation_id = submit(gp)
    report = gp.sync()
    assert report.state is SyncState.OFFLINE and report.pushed == 0
    assert gp.waiting() == 1
    status = gp.engine.status()
    assert (status.state, status.changes_waiting) == (SyncState.OFFLINE, 1)
    live_hub.start()
    assert gp.sync().applied == 1
    assert request_messages(hub_db, conversation_id) == 1
    assert_agree(hub_db, gp)


def test_an_answer_lost_after_the_hub_committed_is_recovered_next_cycle(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp", attempts=1)
    conversation_id = submit(gp)
    gp.transport.lose_push_answers = 1
    assert gp.sync().state is SyncState.OFFLINE
    assert gp.waiting() == 1
    assert request_messages(hub_db, conversation_id) == 1  # the hub did apply it
    report = gp.sync()
    assert (report.applied, report.rejected) == (1, 0)  # the first result, not a duplicate
    assert request_messages(hub_db, conversation_id) == 1
    assert_agree(hub_db, gp)


def test_a_lost_answer_is_retried_within_the_cycle(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp", attempts=3)
    conversation_id = submit(gp)
    gp.transport.lose_push_answers = 2
    report = gp.sync()
    assert (report.state, report.applied) == (SyncState.SYNCED, 1)
    assert request_messages(hub_db, conversation_id) == 1
    assert_agree(hub_db, gp)


def test_the_same_push_twice_is_applied_once(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    conversation_id = submit(gp)
    with gp.store.read_session() as session:
        wire = [wire_change(change) for change in pending_batch(session, 100, None)]
    first, second = gp.client.push(wire), gp.client.push(wire)
    assert [r.status for r in first] == [r.status for r in second] == ["applied"]
    assert gp.sync().applied == 1  # the third time, by the engine: still the first result
    assert request_messages(hub_db, conversation_id) == 1
    assert_agree(hub_db, gp)


def test_a_hub_error_keeps_the_changes_for_the_next_cycle(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    submit(gp)
    gp.transport.fail_pushes_with = 503
    report = gp.sync()
    assert (report.state, report.message) == (SyncState.HUB_ERROR, "The hub is overloaded.")
    with gp.store.read_session() as session:
        [change] = session.scalars(select(OutboxChange)).all()
        assert (change.state, change.attempts) == ("pending", 1)
    gp.transport.fail_pushes_with = None
    assert gp.sync().applied == 1
    assert_agree(hub_db, gp)


def test_a_revoked_token_signs_out_forgets_it_and_keeps_the_changes(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    token = gp.tokens.load("demo.gp")
    assert token is not None
    other = HubClient(hub_server)
    other._token = token  # the same token, signed out from elsewhere
    assert other.sign_out()
    other.close()
    submit(gp)
    report = gp.sync()
    assert report.state is SyncState.SIGNED_OUT and report.pushed == 0
    assert gp.tokens.load("demo.gp") is None and not gp.client.signed_in
    assert gp.waiting() == 1
    assert gp.sync().state is SyncState.SIGNED_OUT  # no token to resume
    gp.engine.sign_in("demo.gp", DEMO_PASSWORD)
    assert gp.sync().applied == 1
    assert_agree(hub_db, gp)


def test_a_token_kept_from_last_time_is_resumed(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    submit(gp)
    gp.client._token = None  # as at the next start: only the kept token and username
    gp.client.user = None
    assert gp.sync().applied == 1
    assert_agree(hub_db, gp)


def _second_specialist(url: str) -> str:
    admin = HubClient(url)
    admin.sign_in("demo.admin", DEMO_PASSWORD)
    response = admin._send(
        "POST",
        "/users",
        json={
            "username": "dr.patel",
            "display_name": "Dr Nisha Patel",
            "role": "specialist",
            "specialty_codes": ["330"],
            "password": "patel-password-2026",
        },
    )
    admin.close()
    return str(response.json()["id"])


def test_a_claim_lost_to_another_specialist_is_undone_and_reported(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    patel_id = _second_specialist(hub_server)
    gp = open_desk(hub_server, "demo.gp")
    conversation_id = submit(gp)
    gp.sync()
    mehta = open_desk(hub_server, "demo.specialist")
    patel = open_desk(hub_server, "dr.patel", sign_in=False)
    patel.engine.sign_in("dr.patel", "patel-password-2026")
    for desk in (mehta, patel):
        desk.sync()
        claim(desk, conversation_id)
    advise(mehta, conversation_id, "Refer if it grows.")
    assert patel.sync().applied == 1
    report = mehta.sync()
    assert (report.applied, report.rejected) == (0, 2)
    lost, respond = report.rejections
    assert (lost.code, lost.conversation_id) == ("already_claimed", conversation_id)
    assert "Dr Nisha Patel claimed this request" in lost.reason
    assert respond.kept_text and not respond.back_to_draft
    with mehta.store.read_session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        assert (conv.claimed_by_id, conv.status) == (patel_id, "awaiting_specialist")
        assert [m.kind for m in conv.messages] == ["request"]
        kept = session.scalars(select(RejectedChange.kept_text)).all()
        assert "Refer if it grows." in kept
    gp.sync()
    assert_agree(hub_db, gp, mehta, patel)


def test_a_request_the_hub_refuses_becomes_a_draft_again(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    conversation_id = submit(gp)
    with gp.store.session() as session:  # the GP's specialty as the hub cannot take it
        change = session.scalars(select(OutboxChange)).one()
        change.payload = change.payload.replace(
            '"specialty_code": "330"', '"specialty_code": "999"'
        )
    report = gp.sync()
    [rejection] = report.rejections
    assert rejection.back_to_draft and rejection.kept_text and rejection.reason
    with gp.store.read_session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        assert (conv.status, conv.submitted_at, conv.question) == ("draft", None, FORM.question)
        assert conv.messages == []
    assert request_messages(hub_db, conversation_id) == 0
    assert_agree(hub_db, gp)


def test_a_refused_reply_keeps_the_gps_words(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    conversation_id = submit(gp)
    gp.sync()
    words = "Also itchy at night; antihistamine did not help."
    add_message(gp, conversation_id, "conversation.reply", "awaiting_specialist", {"body": words})
    report = gp.sync()  # nobody asked yet: the hub refuses a reply while it waits
    [rejection] = report.rejections
    assert rejection.code == "transition_refused" and rejection.kept_text
    with gp.store.read_session() as session:
        assert session.scalars(select(RejectedChange.kept_text)).all() == [words]
        conv = session.get(Conversation, conversation_id)
        assert conv is not None and [m.kind for m in conv.messages] == ["request"]
    assert_agree(hub_db, gp)
