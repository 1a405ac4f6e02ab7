"""Desks and a restartable hub for the client sync tests (``test_client_*.py``).

Each desktop ("desk") has its own real store, ``HubClient``, token store and
``SyncEngine``; :class:`FaultyTransport` fakes only what a real part cannot produce on
demand (an answer lost after the hub committed, a 5xx). :func:`assert_agree` checks that
both ends agree and every change was applied exactly once. The fixtures ``live_hub`` and
``open_desk`` are imported by name into the test modules that use them.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from keyring.backends import fail
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub import models as hub_models
from bhcp_ag.hub.app import SERVER_OPTIONS, create_app
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.hub.settings import HubSettings
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.conversations import new_id, record_change
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation, Message, OutboxChange
from bhcp_ag.store.reference import seed_reference_data, user_id
from bhcp_ag.store.sync_state import changes_waiting
from bhcp_ag.sync.client import HubClient, retry_policy
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.push import Backoff
from bhcp_ag.sync.report import SyncReport
from tests.forms import DERMATOLOGY

MakeStore = Callable[[Path], Store]

FORM = DERMATOLOGY


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
        config = uvicorn.Config(create_app(self.settings), log_level="warning", **SERVER_OPTIONS)
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
        record_change(
            session,
            "conversation.claim",
            {},
            conversation_id=conversation_id,
            user_id=desk.user_id,
        )


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
            session,
            kind,
            {"message_id": message_id, **payload},
            conversation_id=conversation_id,
            user_id=desk.user_id,
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
