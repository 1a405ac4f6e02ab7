"""Hub users: one path for the admin API, the command line and demo, for creating them,
setting their passwords and deactivating them.

A new user is checked by the domain's rules (:meth:`bhcp_ag.domain.organisation.User.validate`),
then against the hub's own reference data (the practice and specialties must exist), and
their password against :func:`bhcp_ag.hub.security.check_new_password`.

Hashing a password takes tens of milliseconds on purpose, and on SQLite a transaction
holds the database's write lock: so a password is checked and hashed into a
:class:`NewPassword` *before* the transaction that stores it, and the functions here
that take a session never hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bhcp_ag.domain.organisation import InvalidUser
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.hub.demo_users import normalise_username, user_id
from bhcp_ag.hub.models import FailedSignIn, Practice, Specialty, User, utcnow
from bhcp_ag.hub.security import Passwords, check_new_password, revoke_all_tokens

USERNAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_")


class AccountRefused(ValueError):
    """A user that cannot be created as given; ``code`` and the message say why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class NewPassword:
    """A new password that met the rules, as its Argon2id hash (made outside transactions)."""

    hash: str

    @staticmethod
    def check(password: str, user_inputs: Sequence[str] = ()) -> None:
        """Refuse ``password`` (:class:`AccountRefused`) when weak, also against
        ``user_inputs`` (username, name); cheap, no hashing."""
        try:
            check_new_password(password, user_inputs)
        except ValueError as error:
            raise AccountRefused("weak_password", str(error)) from None

    @classmethod
    def of(
        cls, passwords: Passwords, password: str, user_inputs: Sequence[str] = ()
    ) -> NewPassword:
        """Check ``password`` and hash it: call this outside any transaction."""
        cls.check(password, user_inputs)
        return cls(passwords.hash(password))


def user_by_username(session: Session, username: str) -> User | None:
    """The user called ``username`` (ignoring case and surrounding spaces), or None."""
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not 3 <= len(name) <= 60 or not set(name) <= USERNAME_CHARACTERS:
        raise AccountRefused(
            "invalid_username",
            "A username has 3 to 60 characters: letters, digits, dots, hyphens and "
            "underscores (for example 'amelia.hart').",
        )
    return name


def _specialties(session: Session, codes: tuple[str, ...]) -> list[Specialty]:
    found = session.scalars(select(Specialty).where(Specialty.tfc_code.in_(codes))).all()
    missing = sorted(set(codes) - {s.tfc_code for s in found})
    if missing:
        raise AccountRefused(
            "unknown_specialty", f"This hub has no specialty with the code {', '.join(missing)}."
        )
    return sorted(found, key=lambda s: s.tfc_code)


def _check_person(session: Session, person: Person) -> Person:
    try:
        person.validate()
    except InvalidUser as error:
        raise AccountRefused("invalid_user", str(error)) from None
    code = person.practice_code
    if code and session.get(Practice, code) is None:
        raise AccountRefused("unknown_practice", f"This hub has no practice with the code {code}.")
    return person


TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "sir", "dame"})


def password_words(username: str, display_name: str) -> tuple[str, ...]:
    """What a password must not lean on: the username, the name and its parts joined."""
    parts = display_name.lower().replace(".", " ").split()
    names = [part for part in parts if part not in TITLES]
    words = {username, *username.split("."), *names}
    words.update(joiner.join(names) for joiner in ("", ".", "-", "_", " "))
    return tuple(sorted(word for word in words if word))


def words_of(person: Person) -> tuple[str, ...]:
    """:func:`password_words` of a person about to be created."""
    return password_words(normalise_username(person.username), person.display_name)


def create_user(session: Session, person: Person, password: NewPassword) -> User:
    """Add ``person`` with ``password``; raises :class:`AccountRefused` (never commits)."""
    username = _check_username(person.username)
    _check_person(session, person)
    if user_by_username(session, username) is not None:
        raise AccountRefused("username_taken", f"The username '{username}' is already taken.")
    user = User(
        id=user_id(username),
        username=username,
        display_name=person.display_name.strip(),
        role=str(person.role),
        practice_code=person.practice_code or None,
        password_hash=password.hash,
        active=True,
        created_at=utcnow(),
        password_changed_at=utcnow(),
    )
    user.specialties = _specialties(session, tuple(person.specialty_codes))
    session.add(user)
    session.flush()
    return user


def update_profile(session: Session, user: User, person: Person) -> None:
    """Bring ``user``'s name, role, practice and specialties in line with ``person``."""
    _check_person(session, person)
    user.display_name = person.display_name.strip()
    user.role = str(person.role)
    user.practice_code = person.practice_code or None
    user.specialties = _specialties(session, tuple(person.specialty_codes))
    session.flush()


def set_password(session: Session, user: User, password: NewPassword) -> int:
    """Give ``user`` a new password (an administrator's reset): every session ends, and
    the account's failed sign-ins are forgotten. Returns how many sessions ended."""
    user.password_hash = password.hash
    user.password_changed_at = utcnow()
    session.execute(delete(FailedSignIn).where(FailedSignIn.username == user.username))
    return revoke_all_tokens(session, user.id)


def deactivate(session: Session, user: User) -> int:
    """Stop ``user`` signing in, ending every session at once; how many ended."""
    if user.active:
        user.active = False
        user.deactivated_at = utcnow()
    return revoke_all_tokens(session, user.id)


def reactivate(user: User) -> None:
    """Let ``user`` sign in again (with the password they had)."""
    user.active = True
    user.deactivated_at = None
