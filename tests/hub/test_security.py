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
from bhcp_ag.hub.accounts import create_user
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo import seed_reference_data
from bhcp_ag.hub.models import Token
from bhcp_ag.hub.security import (
    Passwords,
    SignInThrottle,
    TokenRefused,
    authenticate,
    issue_token,
    revoke_token,
    token_digest,
)
from bhcp_ag.hub.settings import HubSettings

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
        return create_user(session, Passwords(CHEAP), person, "a-long-password!")


def test_tokens_are_kept_only_as_their_sha256(database: HubDatabase) -> None:
    user = _user(database)
    with database.transaction() as session:
        issued = issue_token(session, session.merge(user), timedelta(hours=12))
    with database.transaction() as session:
        row = session.scalars(select(Token)).one()
        assert row.token_sha256 == token_digest(issued.token) != issued.token
        assert authenticate(session, issued.token).user_id == user.id
        revoke_token(session, row.id)
    with database.transaction() as session, pytest.raises(TokenRefused) as refusal:
        authenticate(session, issued.token)
    assert refusal.value.code == "token_revoked"


def test_throttle_counts_per_username_and_per_address(database: HubDatabase) -> None:
    throttle = SignInThrottle(HubSettings(max_failures_per_username=2, max_failures_per_address=3))
    with database.transaction() as session:
        throttle.record_failure(session, "a", "10.0.0.1")
        assert throttle.check(session, "a", "10.0.0.1") is None
        throttle.record_failure(session, "a", "10.0.0.1")
        limited = throttle.check(session, "a", "10.0.0.9")
        assert limited is not None and not limited.by_address
        assert 890 <= limited.retry_after <= 900
        assert "Wait 15 minutes" in limited.message
        throttle.record_failure(session, "b", "10.0.0.1")
        by_address = throttle.check(session, "c", "10.0.0.1")
        assert by_address is not None and by_address.by_address
        assert "from this computer" in by_address.message
        throttle.forget(session, "a")
        assert throttle.failures(session, "a") == 0
