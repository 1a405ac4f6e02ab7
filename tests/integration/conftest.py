"""Integration fixtures: a throwaway PostgreSQL cluster and the real hub on loopback.

- ``postgres_cluster`` (session): a throwaway PostgreSQL cluster on loopback, holding a
  migrated and demo-seeded template database (the machinery is in ``_postgres.py``).
  Missing binaries skip the PostgreSQL tests, or fail them when ``CI`` is set.
- ``postgres_url``: a fresh, migrated and demo-seeded database for one test, copied from
  a template database (much faster than migrating each time).
- ``hub_database_url``: the same for the hub's backend of this test, parametrized over
  the embedded SQLite database and PostgreSQL.
- ``hub_server``: the real hub (uvicorn in a background thread) on a free loopback port
  over ``hub_database_url``; yields its base URL.
- ``hub``: a small client for the tests: signs in as anyone, sends the version headers.
- ``hub_clock``: the hub's clock (real time until a test sets it, then frozen there).
- ``more_users``: a GP of another practice, a second dermatologist and a cardiologist.
- ``sync``: builds protocol changes and pushes and pulls them as any user.
"""

from __future__ import annotations

import functools
import itertools
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from argon2 import Parameters, Type

from bhcp_ag import __version__
from bhcp_ag.hub.app import SERVER_OPTIONS, create_app
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo import seed_demo
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.hub.security import Passwords
from bhcp_ag.hub.settings import HubSettings
from tests.integration._postgres import PostgresCluster, running_cluster

TEMPLATE_DB = "hub_template"
CLIENT_HEADERS = {"X-BHCP-Client-Version": __version__, "X-BHCP-Schema": "1"}
_database_numbers = itertools.count(1)
# Argon2id made cheap for tests (production uses the RFC 9106 low-memory profile): the
# suite signs in hundreds of times.
TEST_ARGON2 = Parameters(
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=1024, parallelism=1
)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for the session, holding the migrated, seeded template."""
    yield from running_cluster(TEMPLATE_DB, _migrate_and_seed)


def _migrate_and_seed(database_url: str) -> None:
    database = HubDatabase.open(database_url)
    try:
        with database.transaction() as session:
            seed_demo(session, Passwords(TEST_ARGON2))
    finally:
        database.close()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh hub database on PostgreSQL, migrated and seeded with the demo accounts."""
    name = f"hub_test_{os.getpid()}_{next(_database_numbers)}"
    postgres_cluster.admin_sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    yield postgres_cluster.url(name)
    postgres_cluster.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hub-template") / "hub.sqlite3"
    _migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh embedded hub database, migrated and seeded with the demo accounts."""
    path = tmp_path / "hub.sqlite3"
    with (
        closing(sqlite3.connect(sqlite_template)) as source,
        closing(sqlite3.connect(path)) as copy,
    ):
        source.backup(copy)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgres"])
def hub_database_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def hub_db(hub_database_url: str) -> Iterator[HubDatabase]:
    """The test's hub database, opened directly (to insert rows and inspect tables)."""
    database = HubDatabase.open(hub_database_url, migrate_schema=False)
    yield database
    database.close()


class HubClock:
    """The hub's clock in a test: real time until :meth:`set`, then frozen at that moment."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen or datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        assert moment.tzinfo is not None, "the hub's clock takes aware datetimes"
        self._frozen = moment


@pytest.fixture
def hub_clock() -> HubClock:
    return HubClock()


@pytest.fixture
def hub_settings(hub_database_url: str, hub_clock: HubClock) -> HubSettings:
    return HubSettings(
        database_url=hub_database_url, password_parameters=TEST_ARGON2, now=hub_clock.now
    )


def run_hub(settings: HubSettings) -> Iterator[str]:
    """Run the hub on a free loopback port until the generator is closed; yields its URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), log_level="warning", timeout_graceful_shutdown=5, **SERVER_OPTIONS
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.01)  # a condition poll: uvicorn offers no event to wait on
    try:
        if not server.started:
            pytest.fail("The hub did not start; see the log above.")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.fixture
def hub_server(hub_settings: HubSettings) -> Iterator[str]:
    """The real hub over the test's database, on loopback; yields its base URL."""
    yield from run_hub(hub_settings)


class HubClient:
    """requests against a running hub, with the client headers every request needs."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers.update(CLIENT_HEADERS)
        self._tokens: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, token: str | None = None, **kw: Any
    ) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kw)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> requests.Response:
        return self.request(
            "POST", "/api/v1/session", json={"username": username, "password": password}
        )

    def token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """A token for ``username`` (signed in once per test, then reused)."""
        if username not in self._tokens:
            response = self.sign_in(username, password)
            assert response.status_code == 200, response.text
            self._tokens[username] = response.json()["token"]
        return self._tokens[username]

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def hub(hub_server: str) -> Iterator[HubClient]:
    client = HubClient(hub_server)
    yield client
    client.close()


def insert_conversation(
    database: HubDatabase, practice_code: str = "BAY001", specialty_code: str = "330"
) -> str:
    """Insert an open conversation directly into the hub database; returns its id."""
    from bhcp_ag.hub.demo_users import DEMO_GP, user_id
    from bhcp_ag.hub.feed import append_feed
    from bhcp_ag.hub.models import Conversation, Message

    conversation_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    with database.transaction() as session:
        conversation = Conversation(
            id=conversation_id,
            practice_code=practice_code,
            requester_id=user_id(DEMO_GP),
            specialty_code=specialty_code,
            priority="ROUTINE",
            status="awaiting_specialist",
            patient_nhs_number="9434765919",
            question="Itchy rash on both forearms for six weeks; emollients have not helped.",
            submitted_at=now,
        )
        session.add(conversation)
        session.flush()
        session.add(
            Message(
                id=str(uuid.uuid4()),
                conversation_id=conversation_id,
                author_id=user_id(DEMO_GP),
                author_role="gp",
                kind="request",
                body="Please advise on management.",
            )
        )
        append_feed(session, conversation)
    return conversation_id


@pytest.fixture
def add_conversation(hub_db: HubDatabase) -> Callable[..., str]:
    """``add_conversation(practice_code, specialty_code)`` inserts one and returns its id."""
    return functools.partial(insert_conversation, hub_db)


@pytest.fixture
def conversation_writer() -> Callable[..., str]:
    """``insert_conversation(database, practice_code, specialty_code)`` for any database."""
    return insert_conversation


OTHER_GP = "other.gp"  # a GP at BAY002
SECOND_DERMATOLOGIST = "second.dermatologist"  # dermatology (330), like demo.specialist
CARDIOLOGIST = "cardiologist"  # cardiology (320) only


@pytest.fixture
def more_users(hub_db: HubDatabase) -> tuple[str, str, str]:
    """Adds a GP of BAY002, a second dermatologist and a cardiologist (demo password)."""
    from bhcp_ag.domain.conversation import Role
    from bhcp_ag.domain.organisation import User as Person
    from bhcp_ag.hub.accounts import NewPassword, create_user

    people = (
        Person(OTHER_GP, "Dr Owen Price", Role.GP, practice_code="BAY002"),
        Person(SECOND_DERMATOLOGIST, "Dr Priya Patel", Role.SPECIALIST, specialty_codes=("330",)),
        Person(CARDIOLOGIST, "Dr Chris Moss", Role.SPECIALIST, specialty_codes=("320",)),
    )
    password = NewPassword.of(Passwords(TEST_ARGON2), DEMO_PASSWORD)
    with hub_db.transaction() as session:
        for person in people:
            create_user(session, person, password)
    return OTHER_GP, SECOND_DERMATOLOGIST, CARDIOLOGIST


TEMPLATE_ANSWERS = {
    "330": {
        "lesion_site": "Both forearms",
        "problem_type": "Rash",
        "duration": "6 weeks",
        "changes": ["None"],
        "treatments_tried": "Emollients for four weeks, no better.",
        "photo_attached": "Clinical only",
    },
    "320": {
        "symptoms": ["Palpitations"],
        "chest_pain_character": "No chest pain",
        "ecg_findings": "Sinus rhythm, no ectopics.",
        "systolic_bp": 132,
        "diastolic_bp": 84,
        "heart_rate": 76,
    },
}


class Sync:
    """Protocol-level changes, pushes and pulls against the running hub, as anyone."""

    def __init__(self, hub: HubClient) -> None:
        self.hub = hub

    @staticmethod
    def change(kind: str, conversation_id: str, /, **payload: Any) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "kind": f"conversation.{kind}",
            "conversation_id": conversation_id,
            "created_at": "2026-11-20T17:00:00Z",
            "payload": payload,
        }

    @staticmethod
    def request(
        conversation_id: str | None = None,
        specialty_code: str = "330",
        practice_code: str = "BAY001",
        **overrides: Any,
    ) -> dict[str, Any]:
        """A complete ``conversation.submit`` change, as the desktop's outbox holds it."""
        conversation_id = conversation_id or str(uuid.uuid4())
        payload: dict[str, Any] = {
            "conversation_id": conversation_id,
            "message_id": str(uuid.uuid4()),
            "practice_code": practice_code,
            "specialty_code": specialty_code,
            "priority": "ROUTINE",
            "patient_nhs_number": "943 476 5919",
            "patient_family_name": "Whitaker",
            "patient_given_name": "Margaret",
            "patient_birth_date": "1961-05-14",
            "patient_sex": "female",
            "question": "Itchy rash on both forearms: what next after emollients?",
            "clinical_summary": "Six weeks of an itchy rash on both forearms.",
            "medication": "",
            "results": "",
            "template_answers": TEMPLATE_ANSWERS[specialty_code],
            "would_have_referred": "yes",
            "convert_authorisation": "NOT_AUTHORISED_TO_CONVERT",
            "attachments": [],
            "submitted_at": "2026-11-20T16:59:00+00:00",
        }
        payload.update(overrides)
        return Sync.change("submit", conversation_id, **payload)

    def push_response(self, username: str, *changes: dict[str, Any]) -> requests.Response:
        return self.hub.request(
            "POST",
            "/api/v1/sync/push",
            token=self.hub.token(username),
            json={"changes": list(changes)},
        )

    def push(self, username: str, *changes: dict[str, Any]) -> list[dict[str, Any]]:
        """The results of pushing ``changes`` as ``username`` (the push must succeed)."""
        response = self.push_response(username, *changes)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        assert [r["id"] for r in results] == [c["id"] for c in changes]
        return results

    def pull_page(self, username: str, cursor: str = "", limit: int = 500) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = self.hub.request(
            "GET", "/api/v1/sync/pull", token=self.hub.token(username), params=params
        )
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    def pull(self, username: str, cursor: str = "", limit: int = 500) -> tuple[dict, str]:
        """Every page from ``cursor``: (the newest snapshot of each conversation, cursor)."""
        snapshots: dict[str, dict[str, Any]] = {}
        while True:
            page = self.pull_page(username, cursor, limit)
            for snapshot in page["conversations"]:
                known = snapshots.get(snapshot["id"])
                if known is None or known["version"] <= snapshot["version"]:
                    snapshots[snapshot["id"]] = snapshot
            cursor = page["next_cursor"]
            if not page["more"]:
                return snapshots, cursor


@pytest.fixture
def sync(hub: HubClient) -> Sync:
    return Sync(hub)
