"""Who may do what to a conversation: one rule for the desktop and the hub.

The desktop checks it before writing a change (so a button the user may not press is
disabled, with the reason as its tooltip); the hub checks it again when the change
arrives, and its answer is final. A practice manager reads conversations but changes
nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bhcp_ag.domain.conversation import Role, SpecialistOutcome, Status
from bhcp_ag.domain.specialties import SpecialtyCatalogue


class Action(StrEnum):
    """A change to a conversation after it was sent; the value is the outbox kind."""

    CLAIM = "conversation.claim"
    RELEASE = "conversation.release"
    RESPOND = "conversation.respond"
    REPLY = "conversation.reply"
    CLOSE = "conversation.close"
    CANCEL = "conversation.cancel"
    REDIRECT = "conversation.redirect"

    @property
    def verb(self) -> str:
        return self.value.removeprefix("conversation.")


WHO_MAY = {
    Action.CLAIM: "a specialist of the request's specialty",
    Action.RESPOND: "a specialist of the request's specialty",
    Action.RELEASE: "the specialist who claimed it or an administrator",
    Action.REPLY: "a GP of the requesting practice",
    Action.CLOSE: "a GP of the requesting practice",
    Action.CANCEL: "a GP of the requesting practice or an administrator",
    Action.REDIRECT: "a specialist of the request's specialty",
}

MANAGERS_READ_ONLY = "Practice managers can read conversations but not change them."


@dataclass(frozen=True)
class Actor:
    """The person acting: their role and what they belong to."""

    role: Role
    practice_code: str | None = None
    specialty_codes: tuple[str, ...] = ()


def refusal(actor: Actor, action: Action, practice_code: str, specialty_code: str) -> str | None:
    """Why ``actor`` may not take ``action`` on a conversation of that practice and
    specialty, or None when their role allows it. (Whether the conversation's state
    allows it is :func:`~bhcp_ag.domain.conversation.check_transition`'s question.)"""
    if actor.role is Role.PRACTICE_MANAGER:
        return MANAGERS_READ_ONLY
    of_practice = actor.role is Role.GP and actor.practice_code == practice_code
    of_specialty = actor.role is Role.SPECIALIST and specialty_code in actor.specialty_codes
    allowed = {
        Action.CLAIM: of_specialty,
        Action.RESPOND: of_specialty,
        Action.RELEASE: of_specialty or actor.role is Role.ADMIN,
        Action.REPLY: of_practice,
        Action.CLOSE: of_practice,
        Action.CANCEL: of_practice or actor.role is Role.ADMIN,
        Action.REDIRECT: of_specialty,
    }
    if allowed[action]:
        return None
    return f"Only {WHO_MAY[action]} can {action.verb} this request."


MESSAGE_KIND_LABELS = {
    "request": "Request",
    "question": "Question from the specialist",
    "reply": "Reply from the GP",
    "advice": "Advice",
    "conversion": "Converted to a referral",
    "follow_up": "Follow-up question",
    "note": "Note",
    "closing": "Closing note from the GP",
    "redirect": "Passed to another specialty",
}
"""What each kind of message in a thread is called where it is shown."""

RESPONSE_MESSAGE_KINDS = {
    SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE: "advice",
    SpecialistOutcome.REQUIRE_FURTHER_INFORMATION: "question",
    SpecialistOutcome.PROVIDER_CONVERTED: "conversion",
}
"""The kind of message a specialist's response adds to the thread."""

NAMES_RESPONSIBLE_CONSULTANT = frozenset(
    {SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE, SpecialistOutcome.PROVIDER_CONVERTED}
)
"""The responses that name the specialty's responsible consultant: advice and conversions
(e-RS's rule: the consultant keeps responsibility for advice given by others on the team)."""


def responsible_consultant(
    catalogue: SpecialtyCatalogue | None, specialty_code: str, outcome: SpecialistOutcome
) -> str | None:
    """The name an ``outcome`` in ``specialty_code`` is given under: the specialty's lead
    for advice and conversions, else None (and None for a specialty the catalogue lacks)."""
    if outcome not in NAMES_RESPONSIBLE_CONSULTANT or catalogue is None:
        return None
    if specialty_code not in catalogue:
        return None
    return catalogue.get(specialty_code).lead_name or None


_NOTE_NAMESPACE = uuid.UUID("8d3c9a52-1f4e-5b6a-9c7d-2e0f4a6b8c91")


def cancel_note_id(conversation_id: str) -> str:
    """The id of the note that carries a cancelled request's reason: derived, so the
    desktop's copy and the hub's are one message."""
    return str(uuid.uuid5(_NOTE_NAMESPACE, f"{conversation_id}:cancelled"))


def advice_given(message_kinds: Iterable[str]) -> bool:
    """Whether the thread holds the specialist's advice: closing it then asks whether the
    advice was useful (the desktop's dialog and its check read the same rule)."""
    return "advice" in message_kinds


def closing_note_id(conversation_id: str) -> str:
    """The id of the note a GP writes when closing: derived, like :func:`cancel_note_id`."""
    return str(uuid.uuid5(_NOTE_NAMESPACE, f"{conversation_id}:closed"))


def reply_kind(status: Status) -> str:
    """A GP's message is a reply to a question, or else a follow-up to advice."""
    return "reply" if status is Status.MORE_INFO_REQUESTED else "follow_up"
