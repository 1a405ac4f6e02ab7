"""The real client sync against the real hub on loopback, on SQLite and PostgreSQL.

Each desktop ("desk") has its own real store, ``HubClient``, token store and
``SyncEngine`` (see ``_client_helpers.py``). Here: a request's round trip, a pull held
back by a pending change, an attachment, and random sequences of syncs and faults against
the protocol. The single faults are in ``test_client_faults.py``. Every test ends with
both ends agreeing and every change applied exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from sqlalchemy import select

from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub import models as hub_models
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.conversations import record_change
from bhcp_ag.store.models import Conversation, HeldBackConversation
from bhcp_ag.store.sync_state import cursor_key, pending_batch
from bhcp_ag.sync.pull import pull_all
from bhcp_ag.sync.push import wire_change
from bhcp_ag.sync.report import SyncState, Tally
from tests.attachment_files import clean_png
from tests.integration._client_helpers import (
    FORM,
    Desk,
    RestartableHub,
    advise,
    assert_agree,
    claim,
    live_hub,
    open_desk,
    request_messages,
    submit,
)

__all__ = ["live_hub", "open_desk"]  # the fixtures, used here by name


# --- the round trip ----------------------------------------------------------------------


def test_a_request_reaches_the_specialist_and_the_advice_comes_back(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp, specialist = open_desk(hub_server, "demo.gp"), open_desk(hub_server, "demo.specialist")
    conversation_id = submit(gp)
    report = gp.sync()
    assert (report.state, report.pushed, report.applied, report.rejected) == (
        SyncState.SYNCED,
        1,
        1,
        0,
    )
    assert gp.waiting() == 0 and gp.engine.status().last_synced_at == report.finished_at
    with gp.store.read_session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None and conv.status == "awaiting_specialist"

    assert specialist.sync().pulled >= 1
    claim(specialist, conversation_id)
    advice_id = advise(specialist, conversation_id)
    assert specialist.sync().applied == 2
    gp.sync()
    with gp.store.read_session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        assert (conv.status, conv.claimed_by_id) == ("advice_returned", specialist.user_id)
        assert conv.first_response_at is not None
        assert advice_id in {m.id for m in conv.messages}
    assert_agree(hub_db, gp, specialist)


# --- random sequences against the protocol ---------------------------------------------------


class SyncProtocol(RuleBasedStateMachine):
    """A GP and a specialist desk, the hub, and faults, in any order.

    After a final clean sync both desks agree with the hub, nothing waits, every change
    is recorded at the hub once with the outcome the desk recorded, and every request
    has exactly one request message at the hub.
    """

    def __init__(self, hub: RestartableHub, hub_db: HubDatabase, open_desk: Any) -> None:
        super().__init__()
        self.hub, self.hub_db = hub, hub_db
        hub.ensure_running()
        self.gp: Desk = open_desk(hub.url, "demo.gp", attempts=1)
        self.specialist: Desk = open_desk(hub.url, "demo.specialist", attempts=1)
        self.sent: list[str] = []

    def _pick(self, index: int, claimable: bool) -> str | None:
        """One of this example's requests waiting for the specialist, or None.

        The index is always drawn, whatever the state: Hypothesis replays examples against
        a hub database that earlier examples have added to.
        """
        allowed = (None,) if claimable else (None, self.specialist.user_id)
        with self.specialist.store.read_session() as session:
            query = select(Conversation).where(
                Conversation.status == "awaiting_specialist", Conversation.id.in_(self.sent)
            )
            found = sorted(c.id for c in session.scalars(query) if c.claimed_by_id in allowed)
        return found[index % len(found)] if found else None

    @rule()
    def gp_submits(self) -> None:
        self.sent.append(submit(self.gp))

    @rule()
    def gp_syncs(self) -> None:
        self.gp.sync()

    @rule()
    def gp_push_answer_is_lost(self) -> None:
        self.gp.transport.lose_push_answers = 1
        self.gp.sync()
        self.gp.transport.lose_push_answers = 0

    @rule()
    def gp_pushes_twice_then_crashes(self) -> None:
        with self.gp.store.read_session() as session:
            wire = [wire_change(change) for change in pending_batch(session, 100, None)]
        if wire:
            assert self.gp.client.push(wire) == self.gp.client.push(wire)

    @rule()
    def specialist_syncs(self) -> None:
        self.specialist.sync()

    @rule(index=st.integers(0, 99))
    def specialist_claims(self, index: int) -> None:
        chosen = self._pick(index, claimable=True)
        if chosen:
            claim(self.specialist, chosen)

    @rule(index=st.integers(0, 99))
    def specialist_answers(self, index: int) -> None:
        chosen = self._pick(index, claimable=False)
        if chosen:
            advise(self.specialist, chosen)

    @rule()
    def hub_restarts(self) -> None:
        self.hub.stop()
        self.hub.start()

    @rule()
    def gp_syncs_while_the_hub_is_down(self) -> None:
        self.hub.stop()
        assert self.gp.sync().state is SyncState.OFFLINE
        self.hub.start()

    def teardown(self) -> None:
        self.hub.ensure_running()
        for _ in range(2):
            assert self.gp.sync().state is SyncState.SYNCED
            assert self.specialist.sync().state is SyncState.SYNCED
        assert_agree(self.hub_db, self.gp, self.specialist)
        with self.hub_db.transaction() as session:
            ids = session.scalars(select(hub_models.Conversation.id)).all()
        assert all(request_messages(self.hub_db, cid) == 1 for cid in ids)
        self.gp.close()
        self.specialist.close()


def test_random_sequences_of_syncs_and_faults_keep_both_ends_in_step(
    live_hub: RestartableHub, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    run_state_machine_as_test(
        lambda: SyncProtocol(live_hub, hub_db, open_desk),
        settings=settings(max_examples=15, stateful_step_count=15, deadline=None),
    )


# --- pulls held back, and attachments ----------------------------------------------------


def test_a_pull_held_back_by_a_pending_change_is_fetched_again(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp, specialist = open_desk(hub_server, "demo.gp"), open_desk(hub_server, "demo.specialist")
    conversation_id = submit(gp)
    gp.sync()
    specialist.sync()
    claim(specialist, conversation_id)  # queued, not yet pushed
    with gp.store.session() as session:
        record_change(
            session,
            "conversation.cancel",
            {"reason": "Seen in clinic."},
            conversation_id=conversation_id,
            user_id=gp.user_id,
        )
    gp.sync()
    key = cursor_key(hub_server, specialist.user_id)
    pull_all(specialist.store, specialist.client, Tally(), cursor_key=key, page_size=50)
    with specialist.store.read_session() as session:
        assert session.get(HeldBackConversation, conversation_id) is not None
    report = specialist.sync()  # the claim is refused; the held-back pull fetched again
    assert [r.code for r in report.rejections] == ["transition_refused"]
    with specialist.store.read_session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None and (conv.status, conv.claimed_by_id) == ("cancelled", None)
        assert session.get(HeldBackConversation, conversation_id) is None
    assert_agree(hub_db, gp, specialist)


def test_an_attachment_is_uploaded_before_its_request_and_reaches_the_specialist(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    png = clean_png()
    gp, specialist = open_desk(hub_server, "demo.gp"), open_desk(hub_server, "demo.specialist")
    requests_ = AdviceRequests(gp.store, SpecialtyCatalogue.load(), ResponseTargets.load())
    draft = requests_.save_draft(gp.user_id, FORM)
    sha256 = requests_.attach(draft, "rash.png", png).sha256
    requests_.submit(gp.user_id, FORM, conversation_id=draft)
    assert gp.sync().applied == 1
    specialist.sync()
    with specialist.store.read_session() as session:
        conv = session.get(Conversation, draft)
        assert conv is not None
        [attachment] = conv.attachments
        assert (attachment.sha256, attachment.filename) == (sha256, "rash.png")
        assert attachment.content.content == png
    assert_agree(hub_db, gp, specialist)
