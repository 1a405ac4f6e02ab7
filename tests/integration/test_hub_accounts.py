"""Accounts at the real hub, on SQLite and PostgreSQL: the throttle by account and address,
deactivation, password resets and changes, the list of sessions, idle expiry, audit.

The hub here trusts 127.0.0.1 as its reverse proxy, so a test chooses the address each
request comes from with ``X-Forwarded-For``, as a proxy in front of the hub would.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select, update

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_PASSWORD, user_id
from bhcp_ag.hub.models import AuditEntry, Token, User, utcnow
from bhcp_ag.hub.settings import HubSettings
from tests.integration._hub_helpers import hold_password_checks, wait_until
from tests.integration.conftest import TEST_ARGON2, HubClient, HubClock

WRONG = "not-the-password"
NEW_PASSWORD = "kettle-orchid-walrus-9"
GP_ID = user_id(DEMO_GP)
WEAK = ["aaaaaaaaaaaa", "password1234", " " * 12, "qwertyuiopasdf", "amelia.hart2026"]


@pytest.fixture
def hub_settings(hub_database_url: str, hub_clock: HubClock) -> HubSettings:
    return HubSettings(
        database_url=hub_database_url,
        password_parameters=TEST_ARGON2,
        now=hub_clock.now,
        trusted_proxies=("127.0.0.1",),
        failures_before_account_delay=5,
        max_account_delay=timedelta(milliseconds=200),
    )


def _sign_in(
    hub: HubClient, username: str, password: str = DEMO_PASSWORD, *, at: str = "198.51.100.1"
) -> requests.Response:
    return hub.request(
        "POST",
        "/api/v1/session",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": at, "User-Agent": f"bhcp-ag test from {at}"},
    )


def _token(hub: HubClient, username: str = DEMO_GP, *, at: str = "198.51.100.1") -> str:
    response = _sign_in(hub, username, at=at)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def _audit(database: HubDatabase, action: str) -> list[AuditEntry]:
    with database.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(session.scalars(query))


def _admin(hub: HubClient, method: str, path: str, **kw: Any) -> requests.Response:
    return hub.request(method, f"/api/v1/users{path}", token=hub.token(DEMO_ADMIN), **kw)


def test_the_owner_at_another_address_is_unaffected(hub, hub_db: HubDatabase) -> None:
    for _ in range(3):
        assert _sign_in(hub, DEMO_GP, WRONG, at="203.0.113.66").status_code == 401
    assert _sign_in(hub, DEMO_GP, at="203.0.113.66").status_code == 429
    assert _sign_in(hub, DEMO_GP, at="198.51.100.1").status_code == 200
    failed = {entry.client_address for entry in _audit(hub_db, "sign_in.failed")}
    assert failed == {"203.0.113.66"}  # the forwarded address, from the trusted proxy


def test_guessing_from_many_addresses_never_locks_the_owner_out(hub, hub_db) -> None:
    for n in range(30):
        response = _sign_in(hub, DEMO_GP, WRONG, at=f"203.0.113.{n}")
        assert response.status_code == 401  # slowed a little, never refused
    assert _sign_in(hub, DEMO_GP, at="198.51.100.200").status_code == 200
    assert not _audit(hub_db, "sign_in.throttled")


def test_deactivation_ends_every_session_at_once(hub, hub_db: HubDatabase) -> None:
    tokens = [_token(hub, at=f"198.51.100.{n}") for n in range(3)]
    deactivated = _admin(hub, "POST", f"/{GP_ID}/deactivate")
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    for token in tokens:
        refused = hub.request("GET", "/api/v1/me", token=token)
        assert refused.status_code == 401 and refused.json()["code"] == "account_disabled"
    refused = _sign_in(hub, DEMO_GP)
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"
    assert "deactivated" in refused.json()["detail"]
    [entry] = _audit(hub_db, "user.deactivated")
    assert entry.object_id == GP_ID and entry.detail["sessions_ended"] == 3
    assert entry.username == DEMO_ADMIN
    with hub_db.transaction() as session:
        assert session.get(User, GP_ID).deactivated_at is not None  # type: ignore[union-attr]
    assert _admin(hub, "POST", f"/{GP_ID}/reactivate").json()["active"] is True
    for token in tokens:  # reactivated, the old sessions stay ended
        assert hub.request("GET", "/api/v1/me", token=token).json()["code"] == "token_revoked"
    assert _sign_in(hub, DEMO_GP).status_code == 200
    assert len(_audit(hub_db, "user.reactivated")) == 1


def test_an_administrators_token_alone_cannot_take_their_own_account(hub) -> None:
    """Resetting one's own password needs the current one (Change password); ending the
    session in use is signing out. So a stolen token cannot lock its owner out."""
    admin_id = user_id(DEMO_ADMIN)
    reset = _admin(hub, "PUT", f"/{admin_id}/password", json={"password": NEW_PASSWORD})
    assert reset.status_code == 409 and reset.json()["code"] == "own_account"
    [current] = _admin(hub, "GET", f"/{admin_id}/sessions").json()  # the one in use
    ended = _admin(hub, "DELETE", f"/{admin_id}/sessions/{current['id']}")
    assert ended.status_code == 409 and ended.json()["code"] == "own_session"
    assert hub.request("GET", "/api/v1/me", token=hub.token(DEMO_ADMIN)).status_code == 200
    assert _sign_in(hub, DEMO_ADMIN, NEW_PASSWORD, at="198.51.100.30").status_code == 401


def test_an_administrator_cannot_deactivate_themselves_or_nobody(hub) -> None:
    own = _admin(hub, "POST", f"/{user_id(DEMO_ADMIN)}/deactivate")
    assert own.status_code == 409 and own.json()["code"] == "own_account"
    nobody = _admin(hub, "POST", "/no-such-user/deactivate")
    assert nobody.status_code == 404 and nobody.json()["code"] == "unknown_user"
    too_long = _admin(hub, "POST", f"/{'x' * 37}/deactivate")
    assert too_long.status_code == 422


def test_a_reset_password_ends_sessions_and_forgets_failures(hub, hub_db: HubDatabase) -> None:
    token = _token(hub)
    for _ in range(3):
        _sign_in(hub, DEMO_GP, WRONG, at="203.0.113.5")
    for weak in WEAK:
        refused = _admin(hub, "PUT", f"/{GP_ID}/password", json={"password": weak})
        assert refused.status_code == 422 and refused.json()["code"] == "weak_password", weak
    reset = _admin(hub, "PUT", f"/{GP_ID}/password", json={"password": NEW_PASSWORD})
    assert reset.status_code == 204
    assert hub.request("GET", "/api/v1/me", token=token).json()["code"] == "token_revoked"
    assert _sign_in(hub, DEMO_GP).status_code == 401
    assert _sign_in(hub, DEMO_GP, NEW_PASSWORD, at="203.0.113.5").status_code == 200
    [entry] = _audit(hub_db, "user.password_reset")
    assert entry.detail == {"sessions_ended": 1}


def test_weak_passwords_are_refused_when_creating_a_user(hub) -> None:
    for weak in WEAK:
        body = {
            "username": "amelia.hart",
            "display_name": "Dr Amelia Hart",
            "role": "gp",
            "practice_code": "BAY002",
            "password": weak,
        }
        refused = _admin(hub, "POST", "", json=body)
        assert refused.status_code == 422 and refused.json()["code"] == "weak_password", weak
        assert refused.json()["detail"]


def test_sessions_are_listed_without_tokens_and_one_can_be_ended(hub, hub_db) -> None:
    first, second = _token(hub, at="198.51.100.7"), _token(hub, at="198.51.100.8")
    listed = _admin(hub, "GET", f"/{GP_ID}/sessions")
    assert listed.status_code == 200
    sessions = listed.json()
    assert [s["client_address"] for s in sessions] == ["198.51.100.8", "198.51.100.7"]
    assert sessions[0]["user_agent"] == "bhcp-ag test from 198.51.100.8"
    assert set(sessions[0]) == {
        "id",
        "created_at",
        "last_used_at",
        "expires_at",
        "client_address",
        "user_agent",
        "current",
    }
    assert first not in listed.text and second not in listed.text
    ended = _admin(hub, "DELETE", f"/{GP_ID}/sessions/{sessions[1]['id']}")
    assert ended.status_code == 204
    assert hub.request("GET", "/api/v1/me", token=first).json()["code"] == "token_revoked"
    assert hub.request("GET", "/api/v1/me", token=second).status_code == 200
    assert len(_admin(hub, "GET", f"/{GP_ID}/sessions").json()) == 1
    other = _admin(hub, "DELETE", f"/{user_id(DEMO_MANAGER)}/sessions/{sessions[0]['id']}")
    assert other.status_code == 404  # the session is not that user's
    [entry] = _audit(hub_db, "session.revoked")
    assert entry.object_id == sessions[1]["id"] and entry.detail == {"of_user": GP_ID}
    mine = hub.request("GET", "/api/v1/me/sessions", token=second).json()
    assert [s["current"] for s in mine] == [True]


def _change(hub: HubClient, token: str, current: str, new: str) -> requests.Response:
    return hub.request(
        "POST",
        "/api/v1/me/password",
        token=token,
        json={"current_password": current, "new_password": new},
        headers={"X-Forwarded-For": "198.51.100.1"},
    )


def test_a_user_changes_their_own_password(hub, hub_db: HubDatabase) -> None:
    here, elsewhere = _token(hub), _token(hub, at="198.51.100.9")
    wrong = _change(hub, here, WRONG, NEW_PASSWORD)
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_password"
    # Without the current password nothing is said of the new one, not even "the same".
    assert _change(hub, here, WRONG, WRONG).json()["code"] == "wrong_password"
    for weak in [*WEAK, DEMO_PASSWORD]:
        refused = _change(hub, here, DEMO_PASSWORD, weak)
        assert refused.status_code == 422, weak
    assert _change(hub, here, DEMO_PASSWORD, NEW_PASSWORD).status_code == 204
    assert hub.request("GET", "/api/v1/me", token=here).status_code == 200  # this one goes on
    assert hub.request("GET", "/api/v1/me", token=elsewhere).json()["code"] == "token_revoked"
    assert _sign_in(hub, DEMO_GP, at="198.51.100.20").status_code == 401
    assert _sign_in(hub, DEMO_GP, NEW_PASSWORD, at="198.51.100.21").status_code == 200
    [entry] = _audit(hub_db, "password.changed")
    assert entry.detail == {"sessions_ended": 1}


def test_guessing_the_current_password_with_a_token_is_throttled(hub) -> None:
    token = _token(hub)
    for _ in range(3):
        assert _change(hub, token, WRONG, NEW_PASSWORD).status_code == 403
    throttled = _change(hub, token, DEMO_PASSWORD, NEW_PASSWORD)
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers


def test_an_unused_session_ends_after_the_idle_timeout(hub, hub_db: HubDatabase) -> None:
    token = _token(hub)
    assert hub.request("GET", "/api/v1/me", token=token).status_code == 200
    with hub_db.transaction() as session:
        old = utcnow() - timedelta(minutes=31)
        session.execute(update(Token).values(last_used_at=old, created_at=old))
    refused = hub.request("GET", "/api/v1/me", token=token)
    assert refused.status_code == 401 and refused.json()["code"] == "token_idle"
    assert "30 minutes without use" in refused.json()["detail"]


def test_the_audit_log_holds_no_password(hub, hub_db: HubDatabase) -> None:
    token = _token(hub)
    _sign_in(hub, DEMO_GP, WRONG)
    _change(hub, token, DEMO_PASSWORD, NEW_PASSWORD)
    _admin(hub, "PUT", f"/{GP_ID}/password", json={"password": "another-walrus-kettle-3"})
    with hub_db.transaction() as session:
        dump = " ".join(
            f"{e.action} {e.username} {e.detail}" for e in session.scalars(select(AuditEntry))
        )
    for secret in (WRONG, DEMO_PASSWORD, NEW_PASSWORD, "another-walrus-kettle-3", token):
        assert secret not in dump


def test_concurrent_guesses_cannot_slip_in_under_one_count(
    hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, began = hold_password_checks(monkeypatch)
    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = [pool.submit(_sign_in, hub, DEMO_GP, f"guess-{n}") for n in range(10)]
            wait_until(lambda: len(began) == 3 and sum(a.done() for a in answers) == 7)
            assert [a.result().status_code for a in answers if a.done()] == [429] * 7
            release.set()
            statuses = sorted(a.result().status_code for a in answers)
    finally:
        release.set()
    assert statuses == [401] * 3 + [429] * 7  # three checked; the rest refused unchecked
    assert len(began) == 3
