"""The embedded hub under a busy morning, and the rule that makes it hold: no password
is hashed or checked while a database transaction is open.

On SQLite a transaction holds the write lock; Argon2 inside one made sign-ins queue and
other requests fail after the busy timeout (500). The load test starts the real embedded
hub on loopback, with the production Argon2 cost, and drives 16 threads that sign in,
push, pull and create users at once: no answer may be a 5xx.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, event

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.hub.accounts import NewPassword, create_user
from bhcp_ag.hub.app import SIGN_IN_THREADS
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_PASSWORD, DEMO_SPECIALIST, user_id
from bhcp_ag.hub.security import Passwords
from bhcp_ag.hub.settings import HubSettings
from tests.integration._hub_helpers import hold_password_checks, wait_until
from tests.integration.conftest import TEST_ARGON2, HubClient, Sync, run_hub

CLIENTS = 16
FLOOD = 48  # more sign-ins at once than the 40 threads that serve all requests
ROUNDS = 5
NEW_PASSWORD = "kettle-orchid-walrus-9"


class _OpenTransactions(threading.local):
    depth = 0


@pytest.fixture
def open_transactions() -> Iterator[_OpenTransactions]:
    """How many database transactions this thread has open, on every engine."""
    state = _OpenTransactions()

    def began(_connection: Any) -> None:
        state.depth += 1

    def ended(_connection: Any) -> None:
        state.depth -= 1

    listeners: list[tuple[str, Callable[[Any], None]]] = [
        ("begin", began),
        ("commit", ended),
        ("rollback", ended),
    ]
    for name, listener in listeners:
        event.listen(Engine, name, listener)
    yield state
    for name, listener in listeners:
        event.remove(Engine, name, listener)


def test_no_password_is_hashed_inside_a_transaction(
    hub: HubClient, open_transactions: _OpenTransactions, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, bool]] = []

    def watched(name: str) -> Callable[..., Any]:
        original = getattr(Passwords, name)

        def call(self: Passwords, *args: Any) -> Any:
            calls.append((name, open_transactions.depth > 0))
            return original(self, *args)

        return call

    for name in ("hash", "verify"):
        monkeypatch.setattr(Passwords, name, watched(name))
    admin = hub.token(DEMO_ADMIN)
    steps: list[tuple[str, int, Callable[[], requests.Response]]] = [
        ("sign-in", 200, lambda: hub.sign_in(DEMO_GP)),
        ("wrong password", 401, lambda: hub.sign_in(DEMO_GP, "not-the-password")),
        ("unknown user", 401, lambda: hub.sign_in("nobody.here", "not-the-password")),
        ("create user", 201, lambda: _create_user(hub, admin, "new.gp")),
        ("reset", 204, lambda: _reset(hub, admin, user_id("new.gp"))),
        ("change", 204, lambda: _change(hub, hub.token(DEMO_SPECIALIST))),
    ]
    for step, status, send in steps:
        calls.clear()
        response = send()
        assert response.status_code == status, (step, response.text)
        assert calls, f"{step}: no password was hashed or checked"
        assert not [name for name, inside in calls if inside], f"{step}: inside a transaction"


def _create_user(hub: HubClient, admin: str, username: str) -> requests.Response:
    body = {
        "username": username,
        "display_name": "Dr New",
        "role": "gp",
        "practice_code": "BAY002",
        "password": NEW_PASSWORD,
    }
    return hub.request("POST", "/api/v1/users", token=admin, json=body)


def _reset(hub: HubClient, admin: str, target: str) -> requests.Response:
    body = {"password": "another-walrus-kettle-3"}
    return hub.request("PUT", f"/api/v1/users/{target}/password", token=admin, json=body)


def _change(hub: HubClient, token: str) -> requests.Response:
    body = {"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}
    return hub.request("POST", "/api/v1/me/password", token=token, json=body)


def test_a_flood_of_sign_ins_leaves_sync_its_own_threads(
    hub: HubClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = hub.token(DEMO_SPECIALIST)  # signed in before the flood
    release, began = hold_password_checks(monkeypatch)
    try:
        with ThreadPoolExecutor(max_workers=FLOOD) as pool:
            flood = [
                pool.submit(hub.sign_in, f"someone.{n}", "not-the-password") for n in range(FLOOD)
            ]
            wait_until(lambda: len(began) == SIGN_IN_THREADS)  # every sign-in thread held
            pulled = hub.request("GET", "/api/v1/sync/pull", token=token, params={"limit": 10})
            assert pulled.status_code == 200  # sync still has threads
            assert not any(answer.done() for answer in flood)
            release.set()
            assert {answer.result().status_code for answer in flood} == {401}
    finally:
        release.set()
    assert len(began) == FLOOD


class _Client:
    """One desk of the busy morning: its own connection, counting every answer."""

    def __init__(self, base_url: str, number: int) -> None:
        self.hub = HubClient(base_url)
        self.number = number
        self.statuses: Counter[int] = Counter()
        self.errors: list[str] = []

    def send(self, method: str, path: str, **kw: Any) -> requests.Response:
        response = self.hub.request(method, path, **kw)
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.errors.append(f"{method} {path} -> {response.status_code} {response.text[:200]}")
        return response

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> str | None:
        body = {"username": username, "password": password}
        response = self.send("POST", "/api/v1/session", json=body)
        return response.json()["token"] if response.status_code == 200 else None

    def morning(self) -> None:
        role, me = self.number % 4, f"desk.{self.number}"
        for round_number in range(ROUNDS):
            if role == 0:  # a GP: sign in, push a request, pull
                token = self.sign_in(me)
                change = Sync.request()
                self.send("POST", "/api/v1/sync/push", token=token, json={"changes": [change]})
                self.send("GET", "/api/v1/sync/pull", token=token, params={"limit": 100})
            elif role == 1:  # a specialist: sign in, pull twice
                token = self.sign_in(me)
                for _ in range(2):
                    self.send("GET", "/api/v1/sync/pull", token=token, params={"limit": 100})
            elif role == 2:  # an administrator adding users
                token = self.sign_in(me)
                username = f"load.{self.number}.{round_number}.{uuid.uuid4().hex[:6]}"
                body = {
                    "username": username,
                    "display_name": "Dr Load",
                    "role": "gp",
                    "practice_code": "BAY002",
                    "password": NEW_PASSWORD,
                }
                self.send("POST", "/api/v1/users", token=token, json=body)
            else:  # someone mistyping, then getting it right, then pulling
                self.sign_in(f"typo.{self.number}.{round_number}", "not-the-password")
                token = self.sign_in(me)
                self.send("GET", "/api/v1/sync/pull", token=token, params={"limit": 100})


def _add_desks(database_url: str) -> None:
    """One account per client: GPs of BAY001, dermatologists, administrators, managers."""
    roles = [
        (Role.GP, "BAY001", ()),
        (Role.SPECIALIST, None, ("330",)),
        (Role.ADMIN, None, ()),
        (Role.PRACTICE_MANAGER, "BAY001", ()),
    ]
    # Hashed cheaply here; the hub rehashes each at its first sign-in, at production cost.
    password = NewPassword.of(Passwords(TEST_ARGON2), DEMO_PASSWORD)
    database = HubDatabase.open(database_url, migrate_schema=False)
    try:
        with database.transaction() as session:
            for n in range(CLIENTS):
                role, practice, specialties = roles[n % 4]
                person = Person(f"desk.{n}", f"Desk {n}", role, practice, specialties)
                create_user(session, person, password)
    finally:
        database.close()


@pytest.mark.slow
def test_sixteen_clients_at_once_get_no_5xx(sqlite_url: str) -> None:
    _add_desks(sqlite_url)
    settings = HubSettings(database_url=sqlite_url)  # the production Argon2 cost
    server = run_hub(settings)
    base_url = next(server)
    try:
        clients = [_Client(base_url, n) for n in range(CLIENTS)]
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            for future in [pool.submit(client.morning) for client in clients]:
                future.result()
    finally:
        server.close()
        for client in clients:
            client.hub.close()
    statuses = sum((client.statuses for client in clients), Counter())
    errors = [error for client in clients for error in client.errors]
    total = sum(statuses.values())
    print(f"\n{total} requests from {CLIENTS} clients: {dict(sorted(statuses.items()))}")
    assert not errors, errors
    assert total == CLIENTS * ROUNDS * 3 - (CLIENTS // 4) * ROUNDS  # admins send 2, others 3
    assert statuses[201] == (CLIENTS // 4) * ROUNDS  # every user created
    assert statuses[401] == (CLIENTS // 4) * ROUNDS  # only the typos refused
    assert set(statuses) <= {200, 201, 401}, statuses
