"""Real processes killed with SIGKILL mid-sync, on SQLite and PostgreSQL hubs.

- The hub (``bhcp-ag-hub serve`` in a subprocess) is killed while a GP's outbox of 100
  requests is being pushed in batches of five; it is started again on the same
  database and port, and the next cycles must apply every change exactly once.
- The app (``_sync_child.py`` in a subprocess) is killed during its first pull of 3,000
  demo conversations; the same store then syncs to completion in this process and must
  hold exactly the hub's conversations, each once, with a sound SQLite file.

Each test waits on conditions with a bounded poll, and kills what it started in
``finally``.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from argon2 import Parameters, Type
from keyring.backends import fail
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub import models as hub_models
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_conversations import load_demo_conversations
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.hub.security import Passwords
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.db import Store, create_sqlite_engine
from bhcp_ag.store.models import Conversation, Message, OutboxChange
from bhcp_ag.store.reference import seed_reference_data, user_id
from bhcp_ag.store.sync_state import changes_waiting, cursor_key, read_state
from bhcp_ag.sync.client import HubClient, retry_policy
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.push import Backoff
from bhcp_ag.sync.report import SyncReport, SyncState
from tests.forms import DERMATOLOGY

MakeStore = Callable[[Path], Store]

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("_sync_child.py")
REQUESTS = 100
DEMO_CONVERSATIONS = 3000
CHEAP_ARGON2 = Parameters(  # the demo clinicians' passwords: nobody signs in as them here
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=1024, parallelism=1
)
FORM = DERMATOLOGY


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    pause, deadline = threading.Event(), time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting until {what}.")
        pause.wait(0.02)


def _child_env() -> dict[str, str]:
    """The environment of a child: this checkout's package first on the path."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def _kill(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)


# --- the hub in a process of its own ---------------------------------------------------------


class HubProcess:
    """``bhcp-ag-hub serve`` on one loopback port and database, killable and restartable."""

    def __init__(self, database_url: str, log: Path, *, workers: int = 1) -> None:
        self.database_url = database_url
        self.log = log
        self.workers = workers
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "bhcp_ag.hub_cli", "serve"]
        command += ["--database", self.database_url, "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=_child_env(), stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(self._healthy, f"the hub answered on {self.url} (log: {self.log})")

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"The hub exited with {self.process.returncode}:\n{self.log.read_text()}")
        try:
            return requests.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def kill(self) -> None:
        _kill(self.process)
        self.process = None


@pytest.fixture
def hub_process(hub_database_url: str, tmp_path: Path) -> Iterator[HubProcess]:
    hub = HubProcess(hub_database_url, tmp_path / "hub.log")
    try:
        hub.start()
        yield hub
    finally:
        hub.kill()


# --- a desktop: store, client, engine -----------------------------------------------------


def open_engine(
    store: Store, url: str, username: str, **options: Any
) -> tuple[SyncEngine, Callable[[], None]]:
    """A signed-in engine for ``store`` at ``url`` and a function that closes its parts."""
    http = requests.Session()
    http.mount("http://", HTTPAdapter(max_retries=retry_policy(2, 0.01)))
    tokens = TokenStore(url, backend=fail.Keyring())  # memory: the keyring has its own test
    client = HubClient(url, session=http, credentials=tokens, timeout=(2, 30))
    engine = SyncEngine(store, client, tokens, backoff=Backoff(2, 0.01), **options)
    engine.sign_in(username, DEMO_PASSWORD)

    def close() -> None:
        client.close()
        http.close()
        tokens.close()

    return engine, close


def new_store(
    make_store: MakeStore, path: Path, organisation: Organisation, catalogue: SpecialtyCatalogue
) -> Store:
    store = make_store(path)
    with store.session() as session:
        seed_reference_data(session, organisation, catalogue)
    return store


def waiting(store: Store) -> int:
    with store.read_session() as session:
        return changes_waiting(session)


def sync_until_settled(engine: SyncEngine, cycles: int = 5) -> list[SyncReport]:
    reports = [engine.sync_once()]
    while waiting(engine.store) and len(reports) < cycles:
        reports.append(engine.sync_once())
    return reports


def applied_at_hub(hub_db: HubDatabase) -> int:
    """Changes the hub has recorded; a SQLite hub is read through a read-only connection
    (the hub's own transactions begin IMMEDIATE and would contend with this poll)."""
    database = hub_db.engine.url.database
    if hub_db.engine.dialect.name == "sqlite" and database:
        return count_rows(Path(database), "applied_changes")
    with hub_db.transaction() as session:
        return session.scalar(select(func.count()).select_from(hub_models.AppliedChange)) or 0


def count_rows(path: Path, table: str) -> int:
    """Rows of ``table`` in the SQLite database at ``path``, read without taking a lock."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# --- the hub killed in the middle of a push ---------------------------------------------


@pytest.mark.slow
def test_the_hub_killed_mid_push_applies_every_change_once_after_a_restart(
    hub_process: HubProcess,
    hub_db: HubDatabase,
    make_store: MakeStore,
    tmp_path: Path,
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
) -> None:
    store = new_store(make_store, tmp_path / "gp.sqlite3", organisation, catalogue)
    engine, close = open_engine(store, hub_process.url, "demo.gp", batch_size=5)
    try:
        requests_ = AdviceRequests(store, catalogue, ResponseTargets.load())
        sent = [requests_.submit(user_id("demo.gp"), FORM).conversation_id for _ in range(REQUESTS)]
        assert waiting(store) == REQUESTS

        first: list[SyncReport] = []
        worker = threading.Thread(target=lambda: first.append(engine.sync_once()), daemon=True)
        worker.start()
        # Killed inside the third batch: two settled, one cut off part-way (the hub
        # applies each change in a transaction of its own).
        wait_until(lambda: applied_at_hub(hub_db) > 12, "the hub applied two batches")
        hub_process.kill()
        worker.join(timeout=30)
        assert not worker.is_alive(), "the cycle did not end after the hub was killed"

        assert first[0].state is SyncState.OFFLINE
        # The hub may have committed a batch whose answer never came back: still waiting.
        assert waiting(store) > 0 and applied_at_hub(hub_db) < REQUESTS, "the kill came too late"
        hub_process.start()
        assert sync_until_settled(engine)[-1].state is SyncState.SYNCED
        assert waiting(store) == 0
        assert_hub_holds_each_once(hub_db, store, sent)
    finally:
        close()
        store.close()


def assert_hub_holds_each_once(hub_db: HubDatabase, store: Store, sent: list[str]) -> None:
    """Every change applied once, each conversation once with one request, same statuses."""
    with store.read_session() as session:
        outbox = {c.id: c.state for c in session.scalars(select(OutboxChange))}
        local = {c.id: c.status for c in session.scalars(select(Conversation))}
    assert len(outbox) == REQUESTS and set(outbox.values()) == {"applied"}
    with hub_db.transaction() as session:
        rows = session.execute(
            select(hub_models.AppliedChange.change_id, hub_models.AppliedChange.result)
        ).all()
        at_hub = {c.id: c.status for c in session.scalars(select(hub_models.Conversation))}
        requests_per_conversation = dict(
            session.execute(  # type: ignore[arg-type]
                select(hub_models.Message.conversation_id, func.count())
                .where(hub_models.Message.kind == "request")
                .group_by(hub_models.Message.conversation_id)
            ).all()
        )
    assert sorted(change_id for change_id, _ in rows) == sorted(outbox)
    assert {result["status"] for _, result in rows} == {"applied"}
    assert set(at_hub) == set(sent) == set(local)
    assert requests_per_conversation == dict.fromkeys(sent, 1)
    assert at_hub == local


# --- the app killed in its first pull ----------------------------------------------------


@pytest.mark.slow
def test_the_app_killed_mid_pull_resumes_to_exactly_the_hubs_conversations(
    hub_server: str,
    hub_db: HubDatabase,
    make_store: MakeStore,
    tmp_path: Path,
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
) -> None:
    with hub_db.transaction() as session:
        loaded = load_demo_conversations(
            session,
            conversations=DEMO_CONVERSATIONS,
            end=date(2026, 11, 20),
            passwords=Passwords(CHEAP_ARGON2),
        )
    path = tmp_path / "admin.sqlite3"
    new_store(make_store, path, organisation, catalogue).close()

    command = [sys.executable, str(CHILD), str(path), hub_server, "demo.admin", "100"]
    child: subprocess.Popen[bytes] | None = None
    try:
        with (tmp_path / "app.log").open("wb") as log:
            child = subprocess.Popen(
                command, cwd=ROOT, env=_child_env(), stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(
            lambda: child.poll() is not None or count_rows(path, "conversations") > 0,
            "the app pulled a first page",
        )
        assert child.poll() is None, "the app finished its pull before it could be killed"
        _kill(child)
    finally:
        _kill(child)
    assert 0 < count_rows(path, "conversations") < loaded.conversations

    store = Store(create_sqlite_engine(path))
    engine, close = open_engine(store, hub_server, "demo.admin", page_size=100)
    try:
        assert engine.sync_once().state is SyncState.SYNCED
        assert_store_mirrors_hub(store, hub_db, hub_server)
    finally:
        close()
        store.close()


def assert_store_mirrors_hub(store: Store, hub_db: HubDatabase, hub_url: str) -> None:
    with hub_db.transaction() as session:
        hub_conversations = set(session.scalars(select(hub_models.Conversation.id)))
        hub_messages = sorted(session.scalars(select(hub_models.Message.id)))
    with store.read_session() as session:
        local_conversations = list(session.scalars(select(Conversation.id)))
        local_messages = sorted(session.scalars(select(Message.id)))
        assert read_state(session, cursor_key(hub_url, user_id("demo.admin")))
        integrity = session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
    assert len(local_conversations) == len(hub_conversations)
    assert set(local_conversations) == hub_conversations
    assert local_messages == hub_messages  # the admin sees all: each message exactly once
    assert integrity == "ok"
