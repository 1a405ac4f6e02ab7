"""Who may see which conversations: one rule, used by reads and by the feed alike.

- A GP and a practice manager see their own practice's conversations.
- A specialist sees the conversations sent to their specialties.
- An administrator sees every conversation.

Anything else is not visible; callers answer "not found", exactly as for an id that does
not exist, so a refusal reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    bindparam,
    case,
    false,
    literal,
    or_,
    select,
    true,
)

from bhcp_ag.domain.conversation import Role
from bhcp_ag.hub.feed import FeedScope, visible_after
from bhcp_ag.hub.models import Conversation, FeedEntry, User, user_specialties
from bhcp_ag.hub.security import SignedIn


@dataclass(frozen=True)
class Caller:
    """The signed-in user of a request, as a plain value (no ORM object crosses layers)."""

    id: str
    username: str
    display_name: str
    role: Role
    practice_code: str | None
    specialty_codes: tuple[str, ...]
    token_id: str

    @classmethod
    def of(cls, user: User | SignedIn, token_id: str) -> Caller:
        """The caller a token (``token_id``) signs in: a user row, or who
        :func:`~bhcp_ag.hub.security.authenticate` found."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=Role(user.role),
            practice_code=user.practice_code,
            specialty_codes=user.specialty_codes,
            token_id=token_id,
        )


def scope_of(caller: Caller) -> FeedScope:
    """The conversations ``caller`` may see, as a feed scope."""
    if caller.role == Role.ADMIN:
        return FeedScope(everything=True)
    if caller.role in (Role.GP, Role.PRACTICE_MANAGER) and caller.practice_code:
        return FeedScope(practice_codes=frozenset({caller.practice_code}))
    if caller.role == Role.SPECIALIST:
        return FeedScope(specialty_codes=frozenset(caller.specialty_codes))
    return FeedScope()


@cache
def news_for_the_user(dialect: str) -> ColumnElement[bool]:
    """SQL, in a query of one ``users`` row: is there a feed entry in that user's scope
    after the cursor (parameters ``after_xid`` and ``after_id``) that a pull may see now?

    :func:`scope_of` as SQL, one index range per case, so the idle pull checks the token
    and the feed in one statement (:func:`bhcp_ag.hub.pull.nothing_new`). It only says
    whether to read a page; the page itself is read with :func:`scope_of`'s scope.
    """
    feed = FeedEntry.__table__.c

    def any_entry(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        entries = select(literal(1)).select_from(FeedEntry.__table__)
        after = bindparam("after_xid", type_=BigInteger), bindparam("after_id", type_=BigInteger)
        return entries.where(*visible_after(*after, dialect), *conditions).exists()

    held = select(user_specialties.c.tfc_code).where(user_specialties.c.user_id == User.id)
    held = held.correlate_except(user_specialties)  # the token's user, two levels out
    practice_roles = [Role.GP.value, Role.PRACTICE_MANAGER.value]
    return case(
        (User.role == Role.ADMIN.value, any_entry()),
        (User.role.in_(practice_roles), any_entry(feed.practice_code == User.practice_code)),
        (User.role == Role.SPECIALIST.value, any_entry(feed.specialty_code.in_(held))),
        else_=false(),
    )


def in_scope(scope: FeedScope, practice_code: str, specialty_code: str) -> bool:
    """True when a conversation of that practice and specialty is within ``scope``."""
    return (
        scope.everything
        or practice_code in scope.practice_codes
        or specialty_code in scope.specialty_codes
    )


def can_see(caller: Caller, conversation: Conversation) -> bool:
    """True when ``conversation`` is within ``caller``'s scope."""
    return in_scope(scope_of(caller), conversation.practice_code, conversation.specialty_code)


def visible_to(caller: Caller) -> ColumnElement[bool]:
    """The SQL condition on ``Conversation`` that :func:`can_see` tests on one row."""
    scope = scope_of(caller)
    if scope.everything:
        return true()
    conditions = []
    if scope.practice_codes:
        conditions.append(Conversation.practice_code.in_(sorted(scope.practice_codes)))
    if scope.specialty_codes:
        conditions.append(Conversation.specialty_code.in_(sorted(scope.specialty_codes)))
    return or_(*conditions) if conditions else false()
