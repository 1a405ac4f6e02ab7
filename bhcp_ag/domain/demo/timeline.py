"""What happens to a demo request: its whole story planned, then cut off at the year end.

A request's fate is drawn first (cancelled, converted to a referral, or advised and then
closed as managed in primary care, awaiting tests or referred); its events follow in
working time by :mod:`bhcp_ag.domain.clock`: about 83% of first responses come within
the response target, with a tail beyond; some specialists ask for more information
first, and some GPs ask a follow-up question. :func:`settle` then keeps only what has
happened by the end of the year, which leaves the last fortnight's conversations open in
realistic states. A request of a published year (:mod:`.scheme_year`) may be bound to
avoid a referral or not: its fate is then drawn within that side.

Enum values are plain strings here: on Python 3.11 every enum member access costs a
descriptor call, which adds up over a few million uses.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from bhcp_ag.domain import clock
from bhcp_ag.domain.actions import NAMES_RESPONSIBLE_CONSULTANT
from bhcp_ag.domain.conversation import (
    ConvertAuthorisation,
    Role,
    SpecialistOutcome,
    Status,
    WouldHaveReferred,
    referral_avoided,
)
from bhcp_ag.domain.demo.draw import choose, new_id
from bhcp_ag.domain.demo.world import Request, World

CANCEL_SHARE = 0.02
MORE_INFO_SHARE = 0.15
FOLLOW_UP_SHARE = 0.30
WITHIN_TARGET_SHARE = 0.83

_AWAITING = Status.AWAITING_SPECIALIST.value
_MORE_INFO = Status.MORE_INFO_REQUESTED.value
_ADVISED = Status.ADVICE_RETURNED.value
_CLOSED = Status.CLOSED.value
_CONVERTED = Status.CONVERTED.value
_CANCELLED = Status.CANCELLED.value
_OPEN = frozenset(status.value for status in Status if status.is_open)
_GP = Role.GP.value
_SPECIALIST = Role.SPECIALIST.value
_ADVICE = SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE.value
_NEED_INFO = SpecialistOutcome.REQUIRE_FURTHER_INFORMATION.value
_CONVERT = SpecialistOutcome.PROVIDER_CONVERTED.value
_YES = WouldHaveReferred.YES.value
_AUTHORISED = ConvertAuthorisation.AUTHORISED_TO_CONVERT.value
_AVOIDING = frozenset({"managed", "tests"})  # closed without a referral


class Event(NamedTuple):
    """Something that happens to a conversation; status and role are plain enum values."""

    at: datetime
    status: str
    kind: str
    author_id: str
    role: str
    body: str
    outcome: str | None = None
    recommendation: str | None = None


@dataclass(slots=True)
class Timeline:
    events: list[Event]
    specialist_id: str | None = None
    claim_at: datetime | None = None
    closing_outcome: str | None = None


def _response_fraction(rng: random.Random) -> float:
    """How much of the target the first response takes: ~83% within, a tail beyond."""
    if rng.random() < WITHIN_TARGET_SHARE:
        return rng.triangular(0.05, 1.0, 0.75)
    return 1.02 + min(rng.expovariate(1 / 0.9), 6.0)


def _gp_delay(rng: random.Random) -> float:
    """Working days a GP takes to answer a question or to follow advice up."""
    return 0.05 + min(rng.expovariate(1 / 0.6), 5.0)


def _closing_delay(rng: random.Random) -> float:
    """Working days from the last advice to the GP closing; a few are left for weeks."""
    if rng.random() < 0.03:
        return rng.uniform(15.0, 60.0)
    return 0.05 + min(rng.expovariate(1 / 0.8), 8.0)


def _fate(rng: random.Random, row: Mapping[str, Any], avoided: bool | None = None) -> str:
    """How the request will end: cancel, convert, referred, managed or tests.

    With ``avoided`` set, drawn as usual but kept only when it avoids a referral (managed
    or tests, for a request whose GP would have referred) or does not, as asked: the fates
    keep their usual proportions within each side.
    """
    fate = _any_fate(rng, row)
    while avoided is not None and (fate in _AVOIDING) != avoided:
        fate = _any_fate(rng, row)
    return fate


def _any_fate(rng: random.Random, row: Mapping[str, Any]) -> str:
    if rng.random() < CANCEL_SHARE:
        return "cancel"
    yes = row["would_have_referred"] == _YES
    if row["convert_authorisation"] == _AUTHORISED and rng.random() < (0.24 if yes else 0.06):
        return "convert"
    if rng.random() < (0.25 if yes else 0.10):
        return "referred"
    return "managed" if rng.random() < 0.72 else "tests"


def timeline(rng: random.Random, world: World, request: Request) -> Timeline:
    """Every event of the request's story, whether or not it has happened by the year end."""
    words = world.wording
    gp, submitted = request.row["requester_id"], request.row["submitted_at"]
    body = f"{request.row['question']}\n\n{request.row['clinical_summary']}"
    events = [Event(submitted, _AWAITING, "request", gp, _GP, body)]
    if request.held:
        return Timeline(events)
    fate = _fate(rng, request.row, request.avoided)
    working_days = _response_fraction(rng) * request.target
    if fate == "cancel":
        at = clock.due_at(submitted, working_days * rng.uniform(0.1, 0.9))
        events.append(Event(at, _CANCELLED, "note", gp, _GP, rng.choice(words.cancel_notes)))
        return Timeline(events)
    specialist = choose(rng, *world.specialists[request.row["specialty_code"]])
    at = clock.due_at(submitted, working_days)
    claim_at = _claim_time(rng, submitted, at, working_days, world.as_of)
    if rng.random() < MORE_INFO_SHARE:
        at = _more_info_round(rng, world, events, (specialist, gp, at), request.target)
    if fate == "convert":
        note = rng.choice(words.conversions)
        events.append(Event(at, _CONVERTED, "advice", specialist, _SPECIALIST, note, _CONVERT))
        return Timeline(events, specialist, claim_at)
    at = _advice_rounds(rng, world, events, (specialist, gp, at), request, fate)
    closed = clock.due_at(at, _closing_delay(rng))
    closing = words.closing_outcomes[fate]
    note = rng.choice(words.closing_notes[closing])
    events.append(Event(closed, _CLOSED, "note", gp, _GP, note))
    return Timeline(events, specialist, claim_at, closing)


def _claim_time(
    rng: random.Random,
    submitted: datetime,
    answered: datetime,
    working_days: float,
    as_of: datetime,
) -> datetime:
    """When the specialist picked the request up: in working time, before answering.

    Answered requests were mostly claimed shortly before the answer; one still waiting at
    the year end was claimed part-way through its time so far (so some open requests are
    claimed and some are not).
    """
    if answered < as_of:
        return max(clock.next_opening(answered - timedelta(minutes=rng.randint(2, 90))), submitted)
    return clock.due_at(submitted, working_days * rng.uniform(0.2, 0.9))


def _more_info_round(
    rng: random.Random,
    world: World,
    events: list[Event],
    who_when: tuple[str, str, datetime],
    target: float,
) -> datetime:
    """The specialist asks, the GP replies; returns when the advice comes."""
    specialist, gp, at = who_when
    question, reply = rng.choice(world.wording.questions)
    events.append(Event(at, _MORE_INFO, "question", specialist, _SPECIALIST, question, _NEED_INFO))
    replied = clock.due_at(at, _gp_delay(rng))
    events.append(Event(replied, _AWAITING, "reply", gp, _GP, reply))
    return clock.due_at(replied, rng.uniform(0.1, 1.0) * target)


def _advice_rounds(
    rng: random.Random,
    world: World,
    events: list[Event],
    who_when: tuple[str, str, datetime],
    request: Request,
    fate: str,
) -> datetime:
    """Advice, and sometimes a GP follow-up and its answer; returns the last advice time."""
    specialist, gp, at = who_when
    words = world.wording
    rec = rng.choice(words.recommendations[fate])
    advice = f"{request.scenario.advice} {rng.choice(words.recommendation_words[rec])}"
    events.append(Event(at, _ADVISED, "advice", specialist, _SPECIALIST, advice, _ADVICE, rec))
    if rng.random() >= FOLLOW_UP_SHARE:
        return at
    ask, answer = rng.choice(words.follow_ups)
    asked = clock.due_at(at, _gp_delay(rng))
    events.append(Event(asked, _AWAITING, "follow_up", gp, _GP, ask))
    answered = clock.due_at(asked, rng.uniform(0.1, 1.0) * request.target)
    events.append(
        Event(answered, _ADVISED, "advice", specialist, _SPECIALIST, answer, _ADVICE, rec)
    )
    return answered


def settle(
    rng: random.Random,
    request: Request,
    timeline: Timeline,
    as_of: datetime,
    lead: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The conversation as it stands at ``as_of``: its row and the messages sent by then
    (advice and conversions naming ``lead``, the specialty's responsible consultant)."""
    row = request.row
    events = timeline.events
    happened = events if events[-1].at < as_of else [e for e in events if e.at < as_of]
    last = happened[-1]
    claim_at = timeline.claim_at if timeline.claim_at and timeline.claim_at < as_of else None
    answered = next((e for e in reversed(happened) if e.outcome is not None), None)
    closing = timeline.closing_outcome if last.status == _CLOSED else None
    first_response_at = next((e.at for e in happened if e.role == _SPECIALIST), None)
    row.update(
        status=last.status,
        updated_at=max(last.at, claim_at) if claim_at else last.at,
        first_response_at=first_response_at,
        response_working_days=(
            clock.working_days_between(row["submitted_at"], first_response_at)
            if first_response_at is not None
            else None
        ),
        closed_at=None if last.status in _OPEN else last.at,
        claimed_by_id=timeline.specialist_id if claim_at else None,
        claimed_at=claim_at,
        specialist_outcome=answered.outcome if answered else None,
        recommendation=answered.recommendation if answered else None,
        closing_outcome=closing,
        advice_useful=_verdict(row["id"])
        if closing and answered and answered.outcome == _ADVICE
        else None,
        form_specialty_code=None,
        referral_avoided=referral_avoided(row["would_have_referred"], last.status, closing),
    )
    return row, [_message_row(rng, row["id"], event, lead) for event in happened]


_VERDICTS = ("yes",) * 15 + ("partly",) * 4 + ("no",)  # 75% yes, 20% partly, 5% no


def _verdict(conversation_id: str) -> str:
    """The GP's answer to "was the advice useful?", drawn from the conversation's id (not
    from the year's random stream, so every other figure of the demo year stays as it was)."""
    return _VERDICTS[int(conversation_id.replace("-", ""), 16) % len(_VERDICTS)]


def _message_row(
    rng: random.Random, conversation_id: str, event: Event, lead: str | None
) -> dict[str, Any]:
    named = (
        event.outcome is not None
        and SpecialistOutcome(event.outcome) in NAMES_RESPONSIBLE_CONSULTANT
    )
    return {
        "id": new_id(rng, event.at),
        "conversation_id": conversation_id,
        "author_id": event.author_id,
        "author_role": event.role,
        "kind": event.kind,
        "body": event.body,
        "specialist_outcome": event.outcome,
        "recommendation": event.recommendation,
        "from_specialty_code": None,
        "to_specialty_code": None,
        "responsible_consultant": lead if named else None,
        "created_at": event.at,
    }
