"""Passwords, tokens and the sign-in throttle, against an embedded hub database."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import Parameters, PasswordHasher, Type
from sqlalchemy import select

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.hub.accounts import AccountRefused, NewPassword, create_user
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo import seed_reference_data
from bhcp_ag.hub.models import FailedSignIn, Token, utcnow
from bhcp_ag.hub.security import (
    PasswordRefused,
    Passwords,
    TokenRefused,
    authenticate,
    check_new_password,
    issue_token,
    revoke_all_tokens,
    revoke_token,
    token_digest,
)
from bhcp_ag.hub.settings import HubSettings
from bhcp_ag.hub.throttle import Attempt, SignInThrottle, Throttled, account_delay, pair_delay

IDLE = timedelta(minutes=30)

CHEAP = Parameters(
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=1024, parallelism=1
)
CHEAPER = Parameters(
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=512, parallelism=1
)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[HubDatabase]:
    hub = HubDatabase.open(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with hub.transaction() as session:
        seed_reference_data(session, Organisation.load(), SpecialtyCatalogue.load())
    yield hub
    hub.close()


def test_the_default_hasher_is_argon2id_rfc9106_low_memory() -> None:
    default = PasswordHasher()
    assert default.type is Type.ID and default.memory_cost == 65536
    assert Passwords(CHEAP).hash("correct horse").startswith("$argon2id$")
    with pytest.raises(ValueError, match="Argon2id"):
        Passwords(dataclasses.replace(CHEAP, type=Type.I))


def test_verify_and_rehash_when_parameters_change() -> None:
    old = Passwords(CHEAPER).hash("correct horse battery")
    current = Passwords(CHEAP)
    assert current.verify(old, "correct horse battery")
    assert not current.verify(old, "wrong")
    assert current.needs_rehash(old)
    assert not current.needs_rehash(current.hash("x"))


def test_unknown_users_are_checked_against_a_dummy_hash() -> None:
    passwords = Passwords(CHEAP)
    assert passwords.verify(None, "anything") is False
    assert passwords.verify("not a hash", "anything") is False


def _user(database: HubDatabase):
    person = Person("t.gp", "Dr T", Role.GP, practice_code="BAY001")
    with database.transaction() as session:
        return create_user(session, person, NewPassword.of(Passwords(CHEAP), "a-long-password!"))


def test_tokens_are_kept_only_as_their_sha256(database: HubDatabase) -> None:
    user = _user(database)
    with database.transaction() as session:
        issued = issue_token(session, session.merge(user), timedelta(hours=12))
    with database.transaction() as session:
        row = session.scalars(select(Token)).one()
        assert row.token_sha256 == token_digest(issued.token) != issued.token
        assert authenticate(session, issued.token, IDLE).id == user.id
        revoke_token(session, row.id)
    with database.transaction() as session, pytest.raises(TokenRefused) as refusal:
        authenticate(session, issued.token, IDLE)
    assert refusal.value.code == "token_revoked"


def test_an_unused_token_ends_after_the_idle_timeout(database: HubDatabase) -> None:
    user = _user(database)
    with database.transaction() as session:
        issued = issue_token(session, session.merge(user), timedelta(hours=12))
    with database.transaction() as session:
        row = session.scalars(select(Token)).one()
        row.last_used_at = utcnow() - IDLE + timedelta(seconds=30)
    with database.transaction() as session:  # used just in time: lives on, and is touched
        assert authenticate(session, issued.token, IDLE).token_id == row.id
    with database.transaction() as session:
        assert session.scalars(select(Token)).one().last_used_at > utcnow() - IDLE / 2
    with database.transaction() as session:
        session.scalars(select(Token)).one().last_used_at = utcnow() - IDLE
    with database.transaction() as session, pytest.raises(TokenRefused) as refusal:
        authenticate(session, issued.token, IDLE)
    assert refusal.value.code == "token_idle" and "30 minutes" in str(refusal.value)


def test_revoking_all_of_a_users_tokens_can_keep_one(database: HubDatabase) -> None:
    user = _user(database)
    with database.transaction() as session:
        kept, *others = [
            issue_token(session, session.merge(user), timedelta(hours=1)) for _ in range(3)
        ]
        assert revoke_all_tokens(session, user.id, keep=kept.token_id) == 2
        assert revoke_all_tokens(session, user.id, keep=kept.token_id) == 0
    with database.transaction() as session:
        assert authenticate(session, kept.token, IDLE)
        for token in others:
            with pytest.raises(TokenRefused):
                authenticate(session, token.token, IDLE)


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "password1234",
        " " * 12,
        "\t \n" * 5,
        "qwertyuiopasdf",
        "123456789012",
        "Password2026!",
        "iloveyou1234",
        "abcabcabcabcabc",
        "monkey123456",
        "letmein12345",
    ],
)
def test_weak_and_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(PasswordRefused) as refusal:
        check_new_password(password)
    assert str(refusal.value)  # says why


def test_a_password_made_of_the_users_own_name_is_refused() -> None:
    for password in ("amelia.hart2026", "amelia.hart.gp"):
        assert check_new_password(password) == password  # unguessable for anyone else
        with pytest.raises(PasswordRefused, match="too easy to guess"):
            check_new_password(password, ["amelia.hart", "amelia", "hart"])


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "demo-password-2026", "kettle-orchid-walrus"]
)
def test_long_unguessable_passwords_are_accepted(password: str) -> None:
    assert check_new_password(password) == password
    assert NewPassword.of(Passwords(CHEAP), password).hash.startswith("$argon2id$")


def test_the_rules_still_bound_the_length() -> None:
    with pytest.raises(PasswordRefused, match="at least 12"):
        check_new_password("Xk#9q!Lm2")
    with pytest.raises(PasswordRefused, match="at most 1024"):
        check_new_password("x" * 1025)
    with pytest.raises(AccountRefused) as refusal:
        NewPassword.of(Passwords(CHEAP), "password1234")
    assert refusal.value.code == "weak_password"


def test_pair_delays_double_after_the_free_failures_up_to_the_cap() -> None:
    cap = timedelta(minutes=15)
    delays = [pair_delay(n, 3, cap).total_seconds() for n in range(0, 16)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3:10] == [2, 4, 8, 16, 32, 64, 128]
    assert delays[-1] == 900 and max(delays) == 900
    assert pair_delay(10**6, 3, cap) == cap


def test_account_delays_grow_but_stay_bounded() -> None:
    cap = timedelta(seconds=3)
    delays = [account_delay(n, 10, cap).total_seconds() for n in range(0, 200, 5)]
    assert delays[:2] == [0, 0]
    assert delays == sorted(delays) and max(delays) == 3


def _age_failures(database: HubDatabase, seconds: float) -> None:
    """Move every recorded failure ``seconds`` into the past (the clock is the real one)."""
    with database.transaction() as session:
        for row in session.scalars(select(FailedSignIn)):
            row.at = row.at - timedelta(seconds=seconds)


def _fail(throttle: SignInThrottle, database: HubDatabase, user: str, address: str) -> None:
    with database.transaction() as session:
        assert isinstance(throttle.begin(session, user, address), Attempt)


def _begin(throttle: SignInThrottle, database: HubDatabase, user: str, address: str):
    with database.transaction() as session:
        return throttle.begin(session, user, address)


def test_the_pair_waits_growing_delays_and_others_do_not(database: HubDatabase) -> None:
    throttle = SignInThrottle(HubSettings(free_failures_per_pair=3))
    for _ in range(3):
        _fail(throttle, database, "a", "10.0.0.1")
    refused = _begin(throttle, database, "a", "10.0.0.1")
    assert isinstance(refused, Throttled) and 1 <= refused.retry_after <= 2
    assert "Wait 2 seconds" in refused.message
    assert isinstance(_begin(throttle, database, "a", "10.0.0.2"), Attempt)  # the owner
    assert isinstance(_begin(throttle, database, "b", "10.0.0.1"), Attempt)  # another user
    waits = []
    for _ in range(9):
        _age_failures(database, 1000)  # each delay passes; failures stay in the window
        _fail(throttle, database, "a", "10.0.0.1")
        refused = _begin(throttle, database, "a", "10.0.0.1")
        assert isinstance(refused, Throttled)
        waits.append(refused.retry_after)
    assert waits == [4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert "Wait 15 minutes" in Throttled(900).message
    with database.transaction() as session:
        throttle.succeeded(session, "a", "10.0.0.1")
        assert throttle.failures(session, "a", "10.0.0.1") == 0
        assert throttle.failures(session, "a", "10.0.0.2") == 1  # another address's stays


def test_failures_leave_after_the_window(database: HubDatabase) -> None:
    throttle = SignInThrottle(HubSettings())
    for _ in range(3):
        _fail(throttle, database, "a", "10.0.0.1")
    assert isinstance(_begin(throttle, database, "a", "10.0.0.1"), Throttled)
    _age_failures(database, timedelta(hours=24).total_seconds() + 1)
    assert isinstance(_begin(throttle, database, "a", "10.0.0.1"), Attempt)
    with database.transaction() as session:
        assert throttle.failures(session, "a") == 1  # the old ones were deleted


def test_many_addresses_add_only_a_bounded_delay(database: HubDatabase) -> None:
    settings = HubSettings(failures_before_account_delay=10, max_account_delay=timedelta(seconds=3))
    throttle = SignInThrottle(settings)
    delays = []
    for n in range(60):
        attempt = _begin(throttle, database, "a", f"10.0.{n // 250}.{n % 250}")
        assert isinstance(attempt, Attempt)  # never refused: a new address always gets in
        delays.append(attempt.delay)
    assert delays[:10] == [timedelta(0)] * 10
    assert delays[10] == timedelta(seconds=0.25)
    assert delays == sorted(delays) and max(delays) == timedelta(seconds=3)


def test_settings_refuse_a_throttle_that_would_lock_out() -> None:
    with pytest.raises(ValueError, match="lock-out"):
        HubSettings(max_account_delay=timedelta(minutes=5))
    with pytest.raises(ValueError, match="throttle_window"):
        HubSettings(throttle_window=timedelta(minutes=1))
    with pytest.raises(ValueError, match="not an IP address"):
        HubSettings(trusted_proxies=("proxy.example",))
