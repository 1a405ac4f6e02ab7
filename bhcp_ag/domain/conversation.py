"""The advice conversation: its states, who may move it between them, and what it records.

States follow the national e-Referral Service A&G codes (``national_code``) with two local
states before the hub has it: ``DRAFT`` (being written) and ``SUBMITTED`` (sent from this
desktop, waiting in the outbox for the hub).

**Referral avoided** is defined here once, by :func:`referral_avoided`, and every report
uses it: the GP said that without advice they would have referred, and the conversation
was closed without a referral.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    GP = "gp"
    SPECIALIST = "specialist"
    PRACTICE_MANAGER = "practice_manager"
    ADMIN = "admin"
    SYSTEM = "system"  # the hub itself, e.g. accepting a submitted request

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.GP: "GP",
    Role.SPECIALIST: "Specialist",
    Role.PRACTICE_MANAGER: "Practice manager",
    Role.ADMIN: "Administrator",
    Role.SYSTEM: "The hub",
}


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AWAITING_SPECIALIST = "awaiting_specialist"
    MORE_INFO_REQUESTED = "more_info_requested"
    ADVICE_RETURNED = "advice_returned"
    CLOSED = "closed"
    CONVERTED = "converted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def national_code(self) -> str | None:
        """The e-RS request status code, or None for the local states."""
        return _NATIONAL_STATUS[self]

    @property
    def is_open(self) -> bool:
        return self not in TERMINAL_STATUSES

    @property
    def next_action_by(self) -> Role | None:
        """Whose move it is in this state (None when the conversation has ended)."""
        return _NEXT_ACTION[self]


_STATUS_LABELS = {
    Status.DRAFT: "Draft",
    Status.SUBMITTED: "Sent, waiting to sync",
    Status.AWAITING_SPECIALIST: "Awaiting specialist",
    Status.MORE_INFO_REQUESTED: "More information requested",
    Status.ADVICE_RETURNED: "Advice returned",
    Status.CLOSED: "Closed",
    Status.CONVERTED: "Converted to referral",
    Status.CANCELLED: "Cancelled",
}

_NATIONAL_STATUS: dict[Status, str | None] = {
    Status.DRAFT: None,
    Status.SUBMITTED: None,
    Status.AWAITING_SPECIALIST: "PROVIDER_RESPONSE_REQUIRED",
    Status.MORE_INFO_REQUESTED: "REFERRER_TO_SUBMIT_FURTHER_INFORMATION",
    Status.ADVICE_RETURNED: "REFERRER_TO_REVIEW_RESPONSE",
    Status.CLOSED: "CONVERSATION_ENDED_CLOSED",
    Status.CONVERTED: "ADVICE_CONVERTED",
    Status.CANCELLED: "CONVERSATION_ENDED_CANCELLED",
}

_NEXT_ACTION: dict[Status, Role | None] = {
    Status.DRAFT: Role.GP,
    Status.SUBMITTED: Role.SYSTEM,
    Status.AWAITING_SPECIALIST: Role.SPECIALIST,
    Status.MORE_INFO_REQUESTED: Role.GP,
    Status.ADVICE_RETURNED: Role.GP,
    Status.CLOSED: None,
    Status.CONVERTED: None,
    Status.CANCELLED: None,
}

TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.CONVERTED, Status.CANCELLED})


class Priority(StrEnum):
    ROUTINE = "ROUTINE"
    URGENT = "URGENT"
    TWO_WEEK_WAIT = "TWO_WEEK_WAIT"

    @property
    def label(self) -> str:
        return {"ROUTINE": "Routine", "URGENT": "Urgent", "TWO_WEEK_WAIT": "Two-week wait"}[
            self.value
        ]


TWO_WEEK_WAIT_REFUSAL = (
    "Advice and Guidance cannot be used for suspected cancer. Refer the patient on the "
    "urgent suspected cancer (two-week-wait) pathway instead."
)


class SpecialistOutcome(StrEnum):
    """What the specialist's response does (e-RS response outcome codes)."""

    RETURN_TO_REFERRER_WITH_ADVICE = "RETURN_TO_REFERRER_WITH_ADVICE"
    REQUIRE_FURTHER_INFORMATION = "REQUIRE_FURTHER_INFORMATION"
    PROVIDER_CONVERTED = "PROVIDER_CONVERTED"


class Recommendation(StrEnum):
    """Mandatory with advice (e-RS recommendation codes)."""

    ADVICE_ONLY_NO_REFERRAL_RECOMMENDED = "ADVICE_ONLY_NO_REFERRAL_RECOMMENDED"
    ADVICE_FOLLOWED_BY_REFERRAL_IF_REQUIRED = "ADVICE_FOLLOWED_BY_REFERRAL_IF_REQUIRED"
    REFERRAL_RECOMMENDED = "REFERRAL_RECOMMENDED"
    OTHER = "OTHER"

    @property
    def label(self) -> str:
        return {
            "ADVICE_ONLY_NO_REFERRAL_RECOMMENDED": "Advice only, no referral",
            "ADVICE_FOLLOWED_BY_REFERRAL_IF_REQUIRED": "Advice, refer if needed",
            "REFERRAL_RECOMMENDED": "Referral recommended",
            "OTHER": "Other",
        }[self.value]


class ConvertAuthorisation(StrEnum):
    AUTHORISED_TO_CONVERT = "AUTHORISED_TO_CONVERT"
    NOT_AUTHORISED_TO_CONVERT = "NOT_AUTHORISED_TO_CONVERT"

    @classmethod
    def of(cls, stored: str | None) -> ConvertAuthorisation | None:
        """The GP's answer as stored, or None when it is missing or not one of these."""
        try:
            return cls(stored or "")
        except ValueError:
            return None


class WouldHaveReferred(StrEnum):
    """The GP's answer, before sending: without advice, would you have referred?"""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "unsure": "Unsure"}[self.value]


class ClosingOutcome(StrEnum):
    """What the GP records happened to the patient when closing the conversation."""

    MANAGED_IN_PRIMARY_CARE = "managed_in_primary_care"
    REFERRED = "referred"
    AWAITING_TESTS = "awaiting_tests"

    @property
    def label(self) -> str:
        return {
            "managed_in_primary_care": "Managed in primary care",
            "referred": "Referred",
            "awaiting_tests": "Awaiting tests",
        }[self.value]


REFERRAL_REASON_NEEDED = (
    "The specialist recommended a referral. Refer the patient and close as 'Referred', "
    "or say in the closing note why the patient is not being referred."
)


def referral_to_make(status: str, recommendation: str | None) -> bool:
    """True while a referral the specialist recommended waits for the GP to act on it:
    the conversation stays on the GP's list as "action needed" until they close it,
    recording what was done."""
    return (
        status == Status.ADVICE_RETURNED.value
        and recommendation == Recommendation.REFERRAL_RECOMMENDED.value
    )


def gp_action_needed(status: str, recommendation: str | None) -> bool:
    """True while the GP must act: a recommended referral to make (or say why not), or a
    question from the specialist to answer (the response clock stands still meanwhile).
    Such a conversation is "action needed" on the GP's list until they act."""
    return status == Status.MORE_INFO_REQUESTED.value or referral_to_make(status, recommendation)


def check_closing(recommendation: str | None, outcome: ClosingOutcome, note: str) -> None:
    """Refuse to close a conversation whose advice recommended a referral, as anything but
    "referred", without the GP's reason in the closing note."""
    recommended = recommendation == Recommendation.REFERRAL_RECOMMENDED.value
    if recommended and outcome is not ClosingOutcome.REFERRED and not note.strip():
        raise TransitionRefused(REFERRAL_REASON_NEEDED)


class AdviceUseful(StrEnum):
    """The GP's answer when closing: was the specialist's advice useful?"""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "partly": "Partly", "no": "No"}[self.value]


def referral_avoided(
    would_have_referred: WouldHaveReferred | str | None,
    status: Status | str,
    closing_outcome: ClosingOutcome | str | None,
) -> bool:
    """True when the GP would have referred and the conversation closed without a referral.

    A conversation converted by the specialist, closed as "referred", cancelled or still
    open has not (yet) avoided a referral.
    """
    return (
        would_have_referred == WouldHaveReferred.YES
        and status == Status.CLOSED
        and closing_outcome is not None
        and closing_outcome != ClosingOutcome.REFERRED
    )


class TransitionRefused(ValueError):
    """A move the conversation's state or the actor's role does not allow; says why."""


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    roles: frozenset[Role]
    description: str


def _t(source: Status, target: Status, roles: set[Role], description: str) -> Transition:
    return Transition(source, target, frozenset(roles), description)


_OPEN_AT_HUB = (Status.SUBMITTED, Status.AWAITING_SPECIALIST, Status.MORE_INFO_REQUESTED)
_GP_SIDE = {Role.GP}

TRANSITIONS: tuple[Transition, ...] = (
    _t(Status.DRAFT, Status.SUBMITTED, _GP_SIDE, "The GP sends the request."),
    _t(Status.DRAFT, Status.CANCELLED, _GP_SIDE, "The GP discards the draft."),
    _t(
        Status.SUBMITTED,
        Status.AWAITING_SPECIALIST,
        {Role.SYSTEM},
        "The hub accepts the request into the specialty's queue.",
    ),
    _t(
        Status.AWAITING_SPECIALIST,
        Status.ADVICE_RETURNED,
        {Role.SPECIALIST},
        "The specialist returns advice with a recommendation.",
    ),
    _t(
        Status.AWAITING_SPECIALIST,
        Status.MORE_INFO_REQUESTED,
        {Role.SPECIALIST},
        "The specialist asks the GP for more information.",
    ),
    _t(
        Status.AWAITING_SPECIALIST,
        Status.CONVERTED,
        {Role.SPECIALIST},
        "The specialist converts the request into a referral (only where the GP authorised it).",
    ),
    _t(
        Status.MORE_INFO_REQUESTED,
        Status.AWAITING_SPECIALIST,
        _GP_SIDE,
        "The GP sends the information asked for.",
    ),
    _t(
        Status.ADVICE_RETURNED,
        Status.AWAITING_SPECIALIST,
        _GP_SIDE,
        "The GP asks a follow-up question about the advice.",
    ),
    _t(
        Status.ADVICE_RETURNED,
        Status.CLOSED,
        _GP_SIDE,
        "The GP closes the conversation and records what happened.",
    ),
    _t(
        Status.MORE_INFO_REQUESTED,
        Status.CLOSED,
        _GP_SIDE,
        "The GP closes the conversation without sending more (for example, already referred).",
    ),
    *(
        _t(s, Status.CANCELLED, {Role.GP, Role.ADMIN}, "The request is withdrawn.")
        for s in _OPEN_AT_HUB
    ),
)

_BY_EDGE = {(t.source, t.target): t for t in TRANSITIONS}


def allowed_targets(source: Status, role: Role) -> list[Status]:
    """The states that ``role`` may move a conversation in ``source`` to."""
    return [t.target for t in TRANSITIONS if t.source == source and role in t.roles]


def check_transition(
    source: Status,
    target: Status,
    role: Role,
    *,
    authorisation: ConvertAuthorisation | None = None,
) -> Transition:
    """Return the transition, or raise :class:`TransitionRefused` saying why not."""
    transition = _BY_EDGE.get((source, target))
    if transition is None:
        raise TransitionRefused(
            f"A conversation that is '{source.label}' cannot become '{target.label}'."
        )
    if role not in transition.roles:
        who = ", ".join(sorted(r.label for r in transition.roles))
        raise TransitionRefused(
            f"Only {who} can move a conversation from '{source.label}' to '{target.label}'."
        )
    if target == Status.CONVERTED and authorisation != ConvertAuthorisation.AUTHORISED_TO_CONVERT:
        raise TransitionRefused(
            "The requesting GP did not authorise converting this request into a referral."
        )
    return transition


def status_after_response(outcome: SpecialistOutcome) -> Status:
    """The state a specialist's response outcome moves the conversation to."""
    return {
        SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE: Status.ADVICE_RETURNED,
        SpecialistOutcome.REQUIRE_FURTHER_INFORMATION: Status.MORE_INFO_REQUESTED,
        SpecialistOutcome.PROVIDER_CONVERTED: Status.CONVERTED,
    }[outcome]


CLAIMABLE = frozenset({Status.AWAITING_SPECIALIST, Status.MORE_INFO_REQUESTED})
"""The states in which a specialist may claim a request, or release their claim."""


def claim_problem(
    target: Status | None, status: Status, claimed_by: str | None, user_id: str
) -> str | None:
    """Why ``user_id`` may not do what leads to ``target`` (None: a release) because of the
    claim, or None. Converting makes a referral in the specialist's name, so it needs their
    own claim; a release only undoes a claim while the request waits for a specialist."""
    if target is Status.CONVERTED and claimed_by != user_id:
        return (
            "Claim the request before converting it: a conversion makes a referral in "
            "your name, so it must be yours."
        )
    if target is None and status not in CLAIMABLE:
        return f"A conversation that is '{status.label}' has no claim to release."
    return None


REDIRECTABLE = frozenset({Status.AWAITING_SPECIALIST})
"""The states in which a specialist may pass a request to another specialty."""


def redirect_problem(
    status: Status, from_code: str, to_code: str | None = None, *, offered: bool = True
) -> str | None:
    """Why a request that is ``status`` in specialty ``from_code`` cannot be passed to
    ``to_code`` (None: to another specialty at all), or None. It goes only while it waits
    for a specialist (an answered request has its answer; a question to the GP waits for
    the GP), and to another specialty that is ``offered``."""
    if status not in REDIRECTABLE:
        return (
            f"A conversation that is '{status.label}' cannot be passed to another specialty: "
            "only a request waiting for a specialist can."
        )
    if to_code is None:
        return None
    if to_code == from_code:
        return "The request is already with this specialty; choose another one."
    if not offered:
        return "There is no such specialty to pass the request to."
    return None


def check_priority(priority: Priority | str) -> Priority:
    """Return the priority, refusing two-week-wait with the reason."""
    value = Priority(priority)
    if value == Priority.TWO_WEEK_WAIT:
        raise TransitionRefused(TWO_WEEK_WAIT_REFUSAL)
    return value
