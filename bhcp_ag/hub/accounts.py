"""Creating and finding hub users: one path for the admin API, the command line and demo.

A new user is checked by the domain's rules (:meth:`bhcp_ag.domain.organisation.User.validate`),
then against the hub's own reference data (the practice and specialties must exist), and
their password against :func:`bhcp_ag.hub.security.check_new_password`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bhcp_ag.domain.organisation import InvalidUser
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.hub.demo_users import normalise_username, user_id
from bhcp_ag.hub.models import Practice, Specialty, User, utcnow
from bhcp_ag.hub.security import Passwords, check_new_password

USERNAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_")


class AccountRefused(ValueError):
    """A user that cannot be created as given; ``code`` and the message say why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


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


def create_user(session: Session, passwords: Passwords, person: Person, password: str) -> User:
    """Add ``person`` with ``password`` (hashed); raises :class:`AccountRefused` (never commits)."""
    username = _check_username(person.username)
    _check_person(session, person)
    try:
        check_new_password(password)
    except ValueError as error:
        raise AccountRefused("weak_password", str(error)) from None
    if user_by_username(session, username) is not None:
        raise AccountRefused("username_taken", f"The username '{username}' is already taken.")
    user = User(
        id=user_id(username),
        username=username,
        display_name=person.display_name.strip(),
        role=str(person.role),
        practice_code=person.practice_code or None,
        password_hash=passwords.hash(password),
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
