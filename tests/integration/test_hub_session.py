"""Signing in and out of the real hub, on SQLite and PostgreSQL: tokens, throttling, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_GP, user_id
from bhcp_ag.hub.models import AuditEntry, FailedSignIn, Token, User

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


def test_three_failures_slow_the_pair_with_retry_after(hub, hub_db: HubDatabase) -> None:
    for _ in range(3):
        assert hub.sign_in(DEMO_GP, WRONG).status_code == 401
    refused = hub.sign_in(DEMO_GP)  # from this address, even the right password waits
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert refused.json()["code"] == "too_many_attempts"
    assert "Wait 2 seconds" in refused.json()["detail"]
    assert hub.sign_in("demo.manager").status_code == 200  # other accounts are unaffected
    [throttled] = _audit(hub_db, "sign_in.throttled")
    assert throttled.username == DEMO_GP and throttled.detail["retry_after"] in (1, 2)
    _age_failures(hub_db, timedelta(seconds=3))
    assert hub.sign_in(DEMO_GP).status_code == 200  # the delay passed: the right one works
    with hub_db.transaction() as session:  # and the pair starts again from nothing
        assert session.scalar(text("SELECT count(*) FROM failed_sign_ins")) == 0


def test_each_further_failure_doubles_the_wait_up_to_15_minutes(hub, hub_db: HubDatabase) -> None:
    waits = []
    for _ in range(3):
        hub.sign_in(DEMO_GP, WRONG)
    for _ in range(10):
        waits.append(int(hub.sign_in(DEMO_GP, WRONG).headers["Retry-After"]))
        _age_failures(hub_db, timedelta(minutes=20))
        assert hub.sign_in(DEMO_GP, WRONG).status_code == 401
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    refused = hub.sign_in(DEMO_GP)
    assert refused.status_code == 429 and "Wait 15 minutes" in refused.json()["detail"]


def test_failures_against_other_accounts_never_slow_an_administrator(hub) -> None:
    for n in range(25):  # a whole practice behind one address getting passwords wrong
        assert hub.sign_in(f"someone.{n}", WRONG).status_code == 401
    assert hub.sign_in("demo.admin").status_code == 200


def test_forwarded_for_from_an_untrusted_peer_is_ignored(hub, hub_db: HubDatabase) -> None:
    for n in range(3):
        forged = {"X-Forwarded-For": f"203.0.113.{n}"}
        response = hub.request(
            "POST", "/api/v1/session", json={"username": DEMO_GP, "password": WRONG}, headers=forged
        )
        assert response.status_code == 401
    again = hub.request(
        "POST",
        "/api/v1/session",
        json={"username": DEMO_GP, "password": WRONG},
        headers={"X-Forwarded-For": "203.0.113.99"},
    )
    assert again.status_code == 429  # all counted under the real peer, 127.0.0.1
    addresses = {entry.client_address for entry in _audit(hub_db, "sign_in.failed")}
    assert addresses == {"127.0.0.1"}


def _age_failures(database: HubDatabase, by: timedelta) -> None:
    """Move every recorded failed sign-in ``by`` into the past."""
    with database.transaction() as session:
        for row in session.scalars(select(FailedSignIn)):
            row.at = row.at - by


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
    assert "deactivated" in refused.json()["detail"]
    assert hub.sign_in(DEMO_GP, WRONG).json()["code"] == "sign_in_failed"  # no hint then


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
