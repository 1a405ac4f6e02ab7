"""Planning a demo year: every user, conversation and message, as plain rows.

:func:`plan_demo_year` draws the 365 days before ``end``: activity stops at midnight at
the start of ``end`` (London time), so nothing lies in the future when ``end`` is today.
About half the requests would have been referred, about two thirds of those are
avoided, and about 83% get a first response within the response target.

Every value comes from one ``random.Random(seed)``, ids included (UUID version 7: the
simulated time, then random bits), so the same arguments give the same plan, and the
desktop store and the hub load the very same conversations. Rows are plain dicts keyed
by column name (the same names in the store's and the hub's tables), with times as
aware datetimes in UTC and enum values as plain strings; no database is touched here.
The reports' facts are filled as the hub would fix them: ``first_due_at`` (the due time
at submission), ``patient_age_band`` (on the day sent) and, in :func:`timeline.settle`,
``response_working_days``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bhcp_ag.domain import clock
from bhcp_ag.domain.conversation import (
    ConvertAuthorisation,
    Priority,
    Status,
    WouldHaveReferred,
)
from bhcp_ag.domain.demo.content import request_content
from bhcp_ag.domain.demo.draw import choose, new_id, time_on
from bhcp_ag.domain.demo.people import (
    DEMO_GP,
    DEMO_SPECIALIST_CODES,
    draw_patient,
    nhs_numbers,
    user_id,
)
from bhcp_ag.domain.demo.timeline import settle, timeline
from bhcp_ag.domain.demo.wording import DemoWording, Scenario
from bhcp_ag.domain.demo.world import ROUTINE, URGENT, Request, World, build_world
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.domain.patient import age_band
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets

URGENT_SHARE = 0.10
AUTHORISED_SHARE = 0.45
DRAFTS = 5
HELD_PER_DEMO_SPECIALTY = 4  # newest requests left unanswered: the demo queue is never empty

_YES = WouldHaveReferred.YES.value
_WOULD_HAVE_REFERRED = tuple(answer.value for answer in WouldHaveReferred)  # yes, no, unsure
_WOULD_HAVE_REFERRED_CUM_WEIGHTS = (50, 80, 100)  # 50% yes, 30% no, 20% unsure
_AUTHORISED = ConvertAuthorisation.AUTHORISED_TO_CONVERT.value
_NOT_AUTHORISED = ConvertAuthorisation.NOT_AUTHORISED_TO_CONVERT.value
_DRAFT = Status.DRAFT.value
_UNSET_WHEN_DRAFT = (
    "submitted_at",
    "due_at",
    "first_due_at",
    "first_response_at",
    "response_working_days",
    "patient_age_band",
    "closed_at",
    "claimed_by_id",
    "claimed_at",
    "specialist_outcome",
    "recommendation",
    "closing_outcome",
    "would_have_referred",
    "convert_authorisation",
)

Row = dict[str, Any]


@dataclass(frozen=True)
class DemoSummary:
    """What a demo year holds (and what a store or hub was given)."""

    conversations: int  # every conversation row, drafts included
    drafts: int
    messages: int
    users: int  # generated GPs and specialists, besides the demo users
    would_have_referred: int  # requests whose GP answered "yes"
    avoided: int  # referral_avoided is true
    answered: int  # requests with a first response
    within_target: int  # of those, first response at or before first_due_at
    by_status: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None


@dataclass(frozen=True)
class DemoPlan:
    """A planned demo year: the generated staff, and the conversations with their messages.

    ``conversations`` are the submitted ones in order of submission, then the demo GP's
    drafts; ``messages`` follow their conversations, oldest first. Every row refers only to
    ``people``, the demo GP and the demo specialist.
    """

    people: list[Person]  # the generated GPs and specialists (not the demo users)
    conversations: list[Row]
    messages: list[Row]
    first_day: date
    last_day: date
    as_of: datetime  # the end of the year: nothing happens at or after it

    def summary(self) -> DemoSummary:
        return summarise(self)


def plan_demo_year(
    *,
    conversations: int = 5000,
    seed: int = 2017,
    end: date | None = None,
    organisation: Organisation | None = None,
    catalogue: SpecialtyCatalogue | None = None,
    targets: ResponseTargets | None = None,
    wording: DemoWording | None = None,
) -> DemoPlan:
    """Plan a Bay year of ``conversations`` demo conversations ending at ``end``.

    ``end`` defaults to today in London; up to five of the conversations (one in twenty)
    are the demo GP's drafts. Pure: reads the resource files, writes nothing.
    """
    organisation = organisation or Organisation.load()
    catalogue = catalogue or SpecialtyCatalogue.load()
    targets = targets or ResponseTargets.load()
    end = end or datetime.now(clock.LONDON).date()
    rng = random.Random(seed)
    references = (organisation, catalogue, targets)
    world = build_world(rng, wording or DemoWording.load(), references, end)
    drafts = min(DRAFTS, conversations // 20)
    numbers = nhs_numbers(rng, conversations)
    rows, messages = _conversation_rows(rng, world, numbers[drafts:])
    rows.extend(_draft_row(rng, world, number) for number in numbers[:drafts])
    return DemoPlan(world.people, rows, messages, world.days[0], world.days[-1], world.as_of)


def _conversation_rows(
    rng: random.Random, world: World, numbers: Sequence[str]
) -> tuple[list[Row], list[Row]]:
    """The submitted conversations and all their messages, as rows."""
    days = sorted(rng.choices(world.days, cum_weights=world.day_weights, k=len(numbers)))
    requests = [_draw_request(rng, world, day, nhs) for day, nhs in zip(days, numbers, strict=True)]
    requests.sort(key=lambda request: request.row["submitted_at"])
    _hold_newest(requests)
    rows: list[Row] = []
    messages: list[Row] = []
    for request in requests:
        row, thread = settle(rng, request, timeline(rng, world, request), world.as_of)
        rows.append(row)
        messages.extend(thread)
    return rows, messages


def _hold_newest(requests: Sequence[Request]) -> None:
    """Leave the newest requests to the demo specialist's specialties unanswered."""
    for code in DEMO_SPECIALIST_CODES:
        theirs = [r for r in requests if r.row["specialty_code"] == code]
        for request in theirs[-HELD_PER_DEMO_SPECIALTY:]:
            request.held = True


def _scenario(rng: random.Random, wording: DemoWording, code: str) -> Scenario:
    return choose(rng, wording.scenarios[code], wording.scenario_weights[code])


def _draw_request(rng: random.Random, world: World, day: date, nhs_number: str) -> Request:
    practice = choose(rng, world.practices, world.practice_weights)
    code = choose(rng, world.specialties, world.specialty_weights)
    requester = choose(rng, *world.gps[practice])
    priority = URGENT if rng.random() < URGENT_SHARE else ROUTINE
    target = world.targets[code, priority]
    submitted = time_on(rng, day)
    scenario = _scenario(rng, world.wording, code)
    patient = draw_patient(rng, world.wording, code, scenario, day, nhs_number)
    whr = choose(rng, _WOULD_HAVE_REFERRED, _WOULD_HAVE_REFERRED_CUM_WEIGHTS)
    authorised = rng.random() < AUTHORISED_SHARE
    created = submitted - timedelta(minutes=rng.randint(4, 50))
    due = clock.due_at(submitted, target)
    row = {
        "id": new_id(rng, created),
        "practice_code": practice,
        "requester_id": requester,
        "specialty_code": code,
        "priority": priority,
        "patient_nhs_number": patient.nhs_number,
        "patient_birth_date": patient.birth_date,
        "patient_sex": patient.sex,
        "patient_age_band": age_band(patient.birth_date, day),  # day: London date sent
        **request_content(rng, world.wording, world.templates[code], scenario, patient, day),
        "would_have_referred": whr,
        "convert_authorisation": _AUTHORISED if authorised else _NOT_AUTHORISED,
        "created_at": created,
        "submitted_at": submitted,
        "due_at": due,
        "first_due_at": due,  # the demo's replies do not move due_at: the two agree
    }
    return Request(row, target, scenario)


def _draft_row(rng: random.Random, world: World, nhs_number: str) -> Row:
    """One of the demo GP's requests still being written, in the last few days."""
    day = world.days[-rng.randint(1, 4)]
    code = choose(rng, world.specialties, world.specialty_weights)
    scenario = _scenario(rng, world.wording, code)
    patient = draw_patient(rng, world.wording, code, scenario, day, nhs_number)
    content = request_content(rng, world.wording, world.templates[code], scenario, patient, day)
    if rng.random() < 0.6:  # not got to the summary and the template yet
        content.update(clinical_summary="", template_answers="{}", medication="", results="")
    started = time_on(rng, day)
    edited = min(started + timedelta(minutes=rng.randint(2, 30)), world.as_of)
    return {
        "id": new_id(rng, started),
        "practice_code": world.practices[0],
        "requester_id": user_id(DEMO_GP),
        "specialty_code": code,
        "priority": Priority.ROUTINE.value,
        "status": _DRAFT,
        "patient_nhs_number": patient.nhs_number,
        "patient_birth_date": patient.birth_date,
        "patient_sex": patient.sex,
        **content,
        "created_at": started,
        "updated_at": edited,
        **dict.fromkeys(_UNSET_WHEN_DRAFT),
        "referral_avoided": False,
    }


def summarise(plan: DemoPlan) -> DemoSummary:
    """The counts a caller reports, from the plan's rows."""
    statuses: Counter[str] = Counter()
    yes = avoided = answered = within = 0
    for row in plan.conversations:
        statuses[row["status"]] += 1
        yes += row["would_have_referred"] == _YES
        avoided += bool(row["referral_avoided"])
        if row["first_response_at"] is not None:
            answered += 1
            within += row["first_response_at"] <= row["first_due_at"]
    return DemoSummary(
        conversations=len(plan.conversations),
        drafts=statuses[_DRAFT],
        messages=len(plan.messages),
        users=len(plan.people),
        would_have_referred=yes,
        avoided=avoided,
        answered=answered,
        within_target=within,
        by_status=dict(sorted(statuses.items())),
        first_day=plan.first_day,
        last_day=plan.last_day,
    )
