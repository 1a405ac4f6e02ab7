"""Signing in and out of the real hub, on SQLite and PostgreSQL: tokens, throttling, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_GP, user_id
from bhcp_ag.hub.models import AuditEntry, Token, User

WRONG = "not-the-password"


def _audit(database: HubDatabase, action: str) -> list[AuditEntry]:
    with database.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(session.scalars(query))


def test_sign_in_returns_a_token_and_the_profile(hub, hub_db: HubDatabase) -> None:
    response = hub.sign_in(DEMO_GP)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"] == {
        "id": user_id(DEMO_GP),
        "username": "demo.gp",
        "display_name": "Dr Amelia Hart",
        "role": "gp",
        "practice_code": "BAY001",
        "specialty_codes": [],
        "active": True,
    }
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=12)
    me = hub.request("GET", "/api/v1/me", token=body["token"])
    assert me.status_code == 200 and me.json()["username"] == "demo.gp"
    [entry] = _audit(hub_db, "sign_in")
    assert entry.user_id == user_id(DEMO_GP) and entry.client_address == "127.0.0.1"


def test_username_ignores_case_and_spaces(hub) -> None:
    assert hub.sign_in("  Demo.GP ").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_refusal(hub, hub_db: HubDatabase) -> None:
    wrong = hub.sign_in(DEMO_GP, WRONG)
    unknown = hub.sign_in("nobody.here", WRONG)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "sign_in_failed"
    failures = _audit(hub_db, "sign_in.failed")
    assert [(f.username, f.detail["reason"]) for f in failures] == [
        ("demo.gp", "wrong_password"),
        ("nobody.here", "unknown_username"),
    ]
    assert all(WRONG not in str(f.detail) for f in failures)


def test_five_failures_throttle_the_username_with_retry_after(hub, hub_db: HubDatabase) -> None:
    for _ in range(5):
        assert hub.sign_in(DEMO_GP, WRONG).status_code == 401
    refused = hub.sign_in(DEMO_GP)  # even the right password waits now
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert refused.json()["code"] == "too_many_attempts"
    assert "Wait 15 minutes" in refused.json()["detail"]
    assert hub.sign_in("demo.manager").status_code == 200  # other accounts are unaffected
    assert len(_audit(hub_db, "sign_in.throttled")) == 1


def test_throttle_lifts_when_failures_leave_the_window(hub, hub_db: HubDatabase) -> None:
    for _ in range(5):
        hub.sign_in(DEMO_GP, WRONG)
    assert hub.sign_in(DEMO_GP).status_code == 429
    with hub_db.transaction() as session:
        session.execute(text("UPDATE failed_sign_ins SET at = :old"), {"old": _long_ago()})
    assert hub.sign_in(DEMO_GP).status_code == 200


def _long_ago() -> datetime:
    old = datetime.now(UTC) - timedelta(minutes=16)
    return old.replace(tzinfo=None)  # stored as UTC wall time on SQLite; UTC on PostgreSQL


def test_sign_out_revokes_the_token(hub, hub_db: HubDatabase) -> None:
    token = hub.token(DEMO_GP)
    assert hub.request("DELETE", "/api/v1/session", token=token).status_code == 204
    after = hub.request("GET", "/api/v1/me", token=token)
    assert after.status_code == 401
    assert after.json()["code"] == "token_revoked"
    assert "signed out" in after.json()["detail"]
    assert after.headers["WWW-Authenticate"] == "Bearer"
    assert len(_audit(hub_db, "sign_out")) == 1


def test_expired_token_is_refused_with_a_readable_message(hub, hub_db: HubDatabase) -> None:
    token = hub.token(DEMO_GP)
    with hub_db.transaction() as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(update(Token).values(expires_at=past))
    response = hub.request("GET", "/api/v1/me", token=token)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Your sign-in has expired; sign in again.",
        "code": "token_expired",
    }


def test_missing_or_made_up_tokens_are_refused(hub) -> None:
    missing = hub.request("GET", "/api/v1/me")
    made_up = hub.request("GET", "/api/v1/me", token="x" * 43)
    assert missing.status_code == made_up.status_code == 401
    assert missing.json()["code"] == "not_signed_in"
    assert made_up.json()["code"] == "invalid_token"


def test_disabled_account_cannot_sign_in_or_use_its_token(hub, hub_db: HubDatabase) -> None:
    token = hub.token(DEMO_GP)
    with hub_db.transaction() as session:
        session.execute(update(User).where(User.username == DEMO_GP).values(active=False))
    assert hub.request("GET", "/api/v1/me", token=token).json()["code"] == "account_disabled"
    refused = hub.sign_in(DEMO_GP)
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"


def test_passwords_are_argon2id_and_tokens_are_stored_hashed(hub, hub_db: HubDatabase) -> None:
    tokens = [hub.sign_in(name).json()["token"] for name in (DEMO_GP, "demo.admin")]
    with hub_db.transaction() as session:
        hashes = session.scalars(select(User.password_hash)).all()
        dump = _every_value(session)
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert "demo-password-2026" not in dump
    for token in tokens:
        assert token not in dump


def _every_value(session) -> str:
    """Every value of every hub table, as one string (to scan for secrets)."""
    from bhcp_ag.hub.models import Base

    rows = []
    for table in Base.metadata.sorted_tables:
        rows.extend(str(tuple(row)) for row in session.execute(select(table)))
    return "\n".join(rows)
