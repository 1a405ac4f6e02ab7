"""The real client sync against the real hub on loopback, on SQLite and PostgreSQL.

Each desktop ("desk") has its own real store, ``HubClient``, token store and
``SyncEngine``. Faults are real where they can be (a stopped hub, a revoked token, a
claim lost to another specialist); a ``requests`` adapter fakes only what a real part
cannot produce on demand: an answer lost after the hub committed, a 5xx. Every fault
test ends with both ends agreeing and every change applied exactly once.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from keyring.backends import fail
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub import models as hub_models
from bhcp_ag.hub.app import create_app
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.hub.settings import HubSettings
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.conversations import new_id, record_change
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import (
    Conversation,
    HeldBackConversation,
    Message,
    OutboxChange,
    RejectedChange,
)
from bhcp_ag.store.reference import seed_reference_data, user_id
from bhcp_ag.store.sync_state import changes_waiting, cursor_key, pending_batch
from bhcp_ag.sync.client import HubClient, retry_policy
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.pull import pull_all
from bhcp_ag.sync.push import Backoff, wire_change
from bhcp_ag.sync.report import SyncReport, SyncState, Tally

MakeStore = Callable[[Path], Store]

FORM = AdviceRequestForm(
    specialty_code="330",
    patient_nhs_number="9434765919",
    patient_birth_date=date(1961, 5, 14),
    patient_sex="female",
    question="Is this pigmented lesion safe to monitor in primary care?",
    clinical_summary="Present for years, darker recently.",
    template_answers={
        "lesion_site": "Left upper back",
        "problem_type": "Single lesion",
        "duration": "3 years",
        "changes": ["Change in colour"],
        "treatments_tried": "None",
        "photo_attached": "Clinical only",
    },
    would_have_referred="yes",
    convert_authorisation="NOT_AUTHORISED_TO_CONVERT",
)


# --- a hub that can be stopped and started again on the same port and database -------------


class RestartableHub:
    """The real hub in a uvicorn thread, stoppable and restartable on one loopback port."""

    def __init__(self, settings: HubSettings) -> None:
        self.settings = settings
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._running: tuple[uvicorn.Server, threading.Thread, socket.socket] | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        config = uvicorn.Config(create_app(self.settings), log_level="warning", ws="none")
        # Migrated at the first start; a restart opens the same database as it is.
        self.settings = replace(self.settings, migrate_on_start=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        started = threading.Event()
        while not server.started and thread.is_alive():
            started.wait(0.01)  # a condition poll: uvicorn offers no event to wait on
        assert server.started, "the hub did not start"
        self._running = (server, thread, listener)

    def stop(self) -> None:
        if self._running is None:
            return
        server, thread, listener = self._running
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        self._running = None

    def ensure_running(self) -> None:
        if self._running is None:
            self.start()


@pytest.fixture
def live_hub(hub_settings: HubSettings) -> Iterator[RestartableHub]:
    hub = RestartableHub(hub_settings)
    hub.start()
    yield hub
    hub.stop()


# --- desks: one desktop each ------------------------------------------------------------------


class FaultyTransport(HTTPAdapter):
    """The real transport, which can lose the hub's answer to a push or fake a 5xx."""

    def __init__(self) -> None:
        super().__init__(max_retries=retry_policy(attempts=2, backoff=0.01))
        self.lose_push_answers = 0
        self.fail_pushes_with: int | None = None

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:  # type: ignore[override]
        is_push = request.method == "POST" and str(request.url).endswith("/sync/push")
        if is_push and self.fail_pushes_with is not None:
            fake = requests.Response()
            fake.status_code, fake.request, fake.url = (
                self.fail_pushes_with,
                request,
                str(request.url),
            )
            fake._content = b'{"detail": "The hub is overloaded.", "code": "overloaded"}'
            return fake
        response = super().send(request, **kw)
        if is_push and self.lose_push_answers > 0:
            self.lose_push_answers -= 1
            raise requests.ConnectionError("the answer was lost on the way back")
        return response


@dataclass
class Desk:
    username: str
    store: Store
    client: HubClient
    tokens: TokenStore
    engine: SyncEngine
    transport: FaultyTransport
    reports: list[SyncReport] = field(default_factory=list)

    @property
    def user_id(self) -> str:
        return user_id(self.username)

    def sync(self) -> SyncReport:
        report = self.engine.sync_once()
        self.reports.append(report)
        return report

    def waiting(self) -> int:
        with self.store.read_session() as session:
            return changes_waiting(session)

    def close(self) -> None:
        self.client.close()
        self.tokens.close()
        self.store.close()


@pytest.fixture
def open_desk(
    make_store: MakeStore,
    tmp_path: Path,
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
) -> Iterator[Callable[..., Desk]]:
    desks: list[Desk] = []

    def open_(url: str, username: str, *, attempts: int = 3, sign_in: bool = True) -> Desk:
        store = make_store(tmp_path / f"{username}-{len(desks)}.sqlite3")
        with store.session() as session:
            seed_reference_data(session, organisation, catalogue)
        transport, http = FaultyTransport(), requests.Session()
        http.mount("http://", transport)
        tokens = TokenStore(url, backend=fail.Keyring())  # memory: the keyring has its own test
        client = HubClient(url, session=http, credentials=tokens, timeout=(2, 30))
        backoff = Backoff(attempts=attempts, first_delay=0.01)
        engine = SyncEngine(store, client, tokens, backoff=backoff, page_size=50)
        desk = Desk(username, store, client, tokens, engine, transport)
        if sign_in:
            engine.sign_in(username, DEMO_PASSWORD)
        desks.append(desk)
        return desk

    yield open_
    for desk in desks:
        desk.close()


def submit(desk: Desk, **changes: Any) -> str:
    requests_ = AdviceRequests(desk.store, SpecialtyCatalogue.load(), ResponseTargets.load())
    form = AdviceRequestForm(**{**vars(FORM), **changes})
    return requests_.submit(desk.user_id, form).conversation_id


def claim(desk: Desk, conversation_id: str) -> None:
    """What the specialist's claim button will do: claim locally and queue the change."""
    with desk.store.session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        conv.claimed_by_id, conv.claimed_at = desk.user_id, datetime.now(UTC)
        record_change(session, "conversation.claim", {}, conversation_id=conversation_id)


def add_message(desk: Desk, conversation_id: str, kind: str, status: str, payload: dict) -> str:
    """Write a message optimistically and queue the change that carries it."""
    message_id = new_id()
    role = "specialist" if kind == "conversation.respond" else "gp"
    with desk.store.session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        session.add(
            Message(
                id=message_id,
                conversation_id=conversation_id,
                author_id=desk.user_id,
                author_role=role,
                kind="advice" if role == "specialist" else "reply",
                body=payload["body"],
                created_at=datetime.now(UTC),
            )
        )
        conv.status = status
        record_change(
            session, kind, {"message_id": message_id, **payload}, conversation_id=conversation_id
        )
    return message_id


def advise(desk: Desk, conversation_id: str, body: str = "Monitor; photograph monthly.") -> str:
    payload = {
        "outcome": "RETURN_TO_REFERRER_WITH_ADVICE",
        "recommendation": "ADVICE_ONLY_NO_REFERRAL_RECOMMENDED",
        "body": body,
    }
    return add_message(desk, conversation_id, "conversation.respond", "advice_returned", payload)


# --- agreement between the ends ------------------------------------------------------------


def _hub_view(hub_db: HubDatabase, where: Any) -> dict[str, tuple[Any, ...]]:
    with hub_db.transaction() as session:
        convs = session.scalars(select(hub_models.Conversation).where(where)).all()
        return {c.id: _shape(c) for c in convs}


def _local_view(store: Store) -> dict[str, tuple[Any, ...]]:
    with store.read_session() as session:
        convs = session.scalars(select(Conversation).where(Conversation.status != "draft")).all()
        return {c.id: _shape(c) for c in convs}


def _shape(c: Any) -> tuple[Any, ...]:
    return (
        c.status,
        c.claimed_by_id,
        c.submitted_at,
        c.due_at,
        c.first_response_at,
        tuple(sorted(m.id for m in c.messages)),
        tuple(sorted(a.id for a in c.attachments)),
    )


def assert_agree(hub_db: HubDatabase, *desks: Desk) -> None:
    """Nothing waits, each desk holds its scope exactly as the hub does, and every local
    change was recorded once at the hub with the same outcome."""
    for desk in desks:
        assert desk.waiting() == 0
        user = desk.client.user
        assert user is not None
        where: Any = (
            hub_models.Conversation.specialty_code.in_(user.specialty_codes)
            if user.role == "specialist"
            else hub_models.Conversation.practice_code == user.practice_code
        )
        assert _local_view(desk.store) == _hub_view(hub_db, where)
        with desk.store.read_session() as session:
            local = {c.id: c.state for c in session.scalars(select(OutboxChange))}
        with hub_db.transaction() as session:
            rows = session.scalars(
                select(hub_models.AppliedChange).where(
                    hub_models.AppliedChange.change_id.in_(local)
                )
            ).all()
            at_hub = {row.change_id: row.result["status"] for row in rows}
        assert at_hub == local


def request_messages(hub_db: HubDatabase, conversation_id: str) -> int:
    with hub_db.transaction() as session:
        query = select(func.count()).where(
            hub_models.Message.conversation_id == conversation_id,
            hub_models.Message.kind == "request",
        )
        return session.scalar(query) or 0


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


# --- faults ----------------------------------------------------------------------------------


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
        wire = [wire_change(change) for change in pending_batch(session, 100)]
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
            wire = [wire_change(change) for change in pending_batch(session, 100)]
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
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    gp, specialist = open_desk(hub_server, "demo.gp"), open_desk(hub_server, "demo.specialist")
    requests_ = AdviceRequests(gp.store, SpecialtyCatalogue.load(), ResponseTargets.load())
    draft = requests_.save_draft(gp.user_id, FORM)
    sha256 = requests_.attach(draft, "rash.png", png)
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
