"""What arrived for the signed-in user since they were last told: answers, questions, requests.

After a sync cycle brings something, the UI asks :func:`take_arrivals` what is new for
the user and shows a desktop notification. What counts as an arrival depends on the role:

- a **GP**: a specialist's answer in a conversation of their practice that now waits
  for a GP (advice returned, more information requested) or was converted to a referral;
- a **specialist**: a GP's request or reply in a conversation of their specialties that
  now waits for a specialist;
- anyone else (practice managers read, administrators run the hub): nothing.

Times are the messages' ``created_at``, which for pulled messages are the hub's. A
watermark per user in ``app_state`` makes each arrival notified once, even across
restarts; the first time a user's store is asked (the first full sync of a fresh store)
the watermark is set to the newest message and nothing is notified.

The texts name the specialty and what happened, never the patient: no NHS number, no
names, no words of the question. Plain Python: no Qt here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bhcp_ag.domain.conversation import Priority, Role, Status
from bhcp_ag.domain.urgency import CLOCK_RUNNING_STATUSES
from bhcp_ag.services.workspace import CurrentUser
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation, Message, Specialty
from bhcp_ag.store.sync_state import read_state, write_state

WATERMARK_PREFIX = "arrivals.seen_until."
SUMMARY_AFTER = 3
"""More arrivals than this are told as one count, not one line each."""
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


class ArrivalKind(StrEnum):
    ADVICE_RETURNED = "advice_returned"
    MORE_INFO_REQUESTED = "more_info_requested"
    CONVERTED = "converted"
    NEW_REQUEST = "new_request"
    GP_REPLIED = "gp_replied"
    OVERDUE = "overdue"

    @property
    def words(self) -> str:
        return _WORDS[self]

    @property
    def for_gp(self) -> bool:
        return self in (self.ADVICE_RETURNED, self.MORE_INFO_REQUESTED, self.CONVERTED)


_WORDS = {
    ArrivalKind.ADVICE_RETURNED: "advice returned",
    ArrivalKind.MORE_INFO_REQUESTED: "the specialist asks for more information",
    ArrivalKind.CONVERTED: "converted to a referral",
    ArrivalKind.NEW_REQUEST: "new advice request",
    ArrivalKind.GP_REPLIED: "the GP replied",
    ArrivalKind.OVERDUE: "the response is now overdue",
}

# The specialist's message kinds a GP hears about, by the state the conversation is in.
_GP_ARRIVALS = {
    (Status.ADVICE_RETURNED.value, "advice"): ArrivalKind.ADVICE_RETURNED,
    (Status.MORE_INFO_REQUESTED.value, "question"): ArrivalKind.MORE_INFO_REQUESTED,
    (Status.CONVERTED.value, "conversion"): ArrivalKind.CONVERTED,
}
_SPECIALIST_ARRIVALS = {"request": ArrivalKind.NEW_REQUEST, "reply": ArrivalKind.GP_REPLIED}


@dataclass(frozen=True)
class Arrival:
    """One conversation with something new for the user; ``text`` is safe to show anywhere."""

    conversation_id: str
    kind: ArrivalKind
    specialty_name: str
    arrived_at: datetime
    urgent: bool = False

    @property
    def text(self) -> str:
        urgent = " (urgent)" if self.urgent else ""
        return f"{self.specialty_name}: {self.kind.words}{urgent}"


def watermark_key(user: CurrentUser) -> str:
    return WATERMARK_PREFIX + user.id


def _candidates(
    user: CurrentUser,
) -> Select[str, str, datetime, str, str, str] | None:  # SQLAlchemy 2.1's typing
    """Messages that could be arrivals for ``user``, newest first (None: nothing for them).

    Only ids, kinds, states and times are read: nothing about the patient.
    """
    query = (
        select(
            Message.conversation_id,
            Message.kind,
            Message.created_at,
            Conversation.status,
            Conversation.priority,
            Specialty.short_name,
        )
        .join(Conversation, Message.conversation_id == Conversation.id)
        .join(Specialty, Conversation.specialty_code == Specialty.tfc_code)
        .where(Message.author_id != user.id)
        .order_by(Message.created_at.desc())
    )
    if user.role is Role.GP and user.practice_code:
        return query.where(
            Conversation.practice_code == user.practice_code,
            Message.author_role == Role.SPECIALIST.value,
            Message.kind.in_([kind for _status, kind in _GP_ARRIVALS]),
            Conversation.status.in_([status for status, _kind in _GP_ARRIVALS]),
        )
    if user.role is Role.SPECIALIST and user.specialty_codes:
        return query.where(
            Conversation.specialty_code.in_(user.specialty_codes),
            Conversation.status == Status.AWAITING_SPECIALIST.value,
            Message.author_role == Role.GP.value,
            Message.kind.in_(list(_SPECIALIST_ARRIVALS)),
        )
    return None


def arrivals_since(session: Session, user: CurrentUser, since: datetime) -> list[Arrival]:
    """What arrived for ``user`` after ``since``: one per conversation, newest first."""
    query = _candidates(user)
    if query is None:
        return []
    found: dict[str, Arrival] = {}
    rows = session.execute(query.where(Message.created_at > since))
    for conversation_id, message_kind, created_at, status, priority, specialty in rows:
        if user.role is Role.SPECIALIST:
            kind = _SPECIALIST_ARRIVALS.get(message_kind)
        else:
            kind = _GP_ARRIVALS.get((status, message_kind))
        if kind is None or conversation_id in found:
            continue  # a conversation's newest message tells what happened last
        found[conversation_id] = Arrival(
            conversation_id=conversation_id,
            kind=kind,
            specialty_name=specialty,
            arrived_at=created_at,
            urgent=priority == Priority.URGENT.value,
        )
    return list(found.values())


def _newest_message(session: Session, user: CurrentUser) -> datetime | None:
    """The newest message someone else wrote: where the next arrivals start."""
    query = select(func.max(Message.created_at)).where(Message.author_id != user.id)
    return session.scalar(query)


def take_arrivals(store: Store, user: CurrentUser) -> list[Arrival]:
    """What arrived since the user was last told, moving their watermark past it.

    The first call for a user only sets the watermark (to the newest message in the
    store) and returns nothing: a first sync brings a year of history, not news.
    """
    key = watermark_key(user)
    with store.session() as session:
        seen = read_state(session, key)
        newest = _newest_message(session, user)
        since = datetime.fromisoformat(seen) if seen is not None else None
        arrivals = arrivals_since(session, user, since) if since is not None else []
        start = since or BEGINNING  # an empty store: whatever comes later is news
        if newest is not None and newest > start:
            write_state(session, key, newest.isoformat())
        elif since is None:
            write_state(session, key, start.isoformat())
    return arrivals


OVERDUE_PREFIX = "overdue.seen_until."


def take_overdue(store: Store, user: CurrentUser, now: datetime) -> list[Arrival]:
    """Requests in the user's scope whose response became overdue since they were told.

    A request is overdue once its due time passes while it waits for the specialist
    (:data:`~bhcp_ag.domain.urgency.CLOCK_RUNNING_STATUSES`). A watermark per user keeps
    each one told once, across restarts, so a GP opening the app in the morning hears of
    the requests that went overdue overnight. The first call only sets the watermark.
    GPs and practice managers hear of their practice's, specialists of their queue's.
    """
    key = OVERDUE_PREFIX + user.id
    with store.session() as session:
        seen = read_state(session, key)
        write_state(session, key, now.isoformat())
        if seen is None:
            return []
        query = _overdue_candidates(user)
        if query is None:
            return []
        rows = session.execute(
            query.where(Conversation.due_at >= datetime.fromisoformat(seen))
            .where(Conversation.due_at < now)  # overdue: strictly past (domain.urgency)
            .order_by(Conversation.due_at.desc())
        )
        return [
            Arrival(cid, ArrivalKind.OVERDUE, name, due or now, priority == Priority.URGENT.value)
            for cid, due, priority, name in rows
        ]


def _overdue_candidates(user: CurrentUser) -> Select[str, datetime | None, str, str] | None:
    query = (
        select(Conversation.id, Conversation.due_at, Conversation.priority, Specialty.short_name)
        .join(Specialty, Conversation.specialty_code == Specialty.tfc_code)
        .where(Conversation.status.in_(CLOCK_RUNNING_STATUSES))
    )
    if user.role in (Role.GP, Role.PRACTICE_MANAGER) and user.practice_code:
        return query.where(Conversation.practice_code == user.practice_code)
    if user.role is Role.SPECIALIST and user.specialty_codes:
        return query.where(Conversation.specialty_code.in_(user.specialty_codes))
    return None


def summary(arrivals: Sequence[Arrival]) -> str:
    """The words of one notification for ``arrivals``: each on a line, or a count."""
    if len(arrivals) <= SUMMARY_AFTER:
        return "\n".join(arrival.text for arrival in arrivals)
    if all(arrival.kind is ArrivalKind.OVERDUE for arrival in arrivals):
        return f"{len(arrivals)} requests are now overdue"
    if all(arrival.kind.for_gp for arrival in arrivals):
        return f"{len(arrivals)} answers and questions arrived"
    if not any(arrival.kind.for_gp for arrival in arrivals):
        return f"{len(arrivals)} requests and replies arrived"
    return f"{len(arrivals)} conversations have something new"
