"""Planning a demo year: every user, conversation and message, as plain rows.

:func:`plan_demo_year` draws the 365 days before ``end``: activity stops at midnight at
the start of ``end`` (London time), so nothing lies in the future when ``end`` is today.
About half the requests would have been referred, about two thirds of those are
avoided, and about 83% get a first response within the response target.
:func:`plan_scheme_year` plans a year the scheme published instead, with exactly its
counts (:mod:`.scheme_year`).

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
from bhcp_ag.domain.demo.scheme_year import Quota, SchemeYear
from bhcp_ag.domain.demo.timeline import Timeline, settle, timeline
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
_WOULD_NOT = _WOULD_HAVE_REFERRED[1:]  # no, unsure
_WOULD_NOT_CUM_WEIGHTS = (30, 50)  # in the same proportion
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
    "advice_useful",
    "form_specialty_code",
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
    as_of: datetime  # nothing happens at or after it: the year end, or a published year settled

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


def plan_scheme_year(
    year: SchemeYear,
    *,
    seed: int = 2017,
    organisation: Organisation | None = None,
    catalogue: SpecialtyCatalogue | None = None,
    targets: ResponseTargets | None = None,
    wording: DemoWording | None = None,
) -> DemoPlan:
    """Plan a published year of the scheme: exactly its counts, whatever the seed.

    Every request is sent in the financial year, to one of its specialties, and has ended
    by ``year.settled_by`` (the plan's ``as_of``); no drafts, none held. See
    :mod:`bhcp_ag.domain.demo.scheme_year`. Pure: reads the resource files, writes nothing.
    """
    catalogue = catalogue or SpecialtyCatalogue.load()
    year.check_specialties(catalogue)
    references = (organisation or Organisation.load(), catalogue, targets or ResponseTargets.load())
    rng = random.Random(seed)
    world = build_world(
        rng,
        wording or DemoWording.load(),
        references,
        year.end,
        first=year.first_day,
        specialty_codes=year.specialty_codes,
        settled_by=year.settled_by,
    )
    numbers = nhs_numbers(rng, year.conversations)
    rows, messages = _conversation_rows(rng, world, numbers, year.quotas(rng))
    plan = DemoPlan(world.people, rows, messages, world.days[0], world.days[-1], world.as_of)
    _check_counts(plan, year)
    return plan


def _check_counts(plan: DemoPlan, year: SchemeYear) -> None:
    """The counts hold by construction; a planning bug must not pass for the figures."""
    summary = plan.summary()
    found = (summary.conversations - summary.drafts, summary.would_have_referred, summary.avoided)
    wanted = (year.conversations, year.would_have_referred, year.avoided)
    if found != wanted:
        raise RuntimeError(f"{year.label} planned {found}, not the published {wanted}.")


def _conversation_rows(
    rng: random.Random,
    world: World,
    numbers: Sequence[str],
    quotas: Sequence[Quota] | None = None,
) -> tuple[list[Row], list[Row]]:
    """The submitted conversations and all their messages, as rows.

    With ``quotas`` (one per number) each request takes its would-have-referred answer and
    its avoided-or-not from them; the newest are held only when there are none.
    """
    days = sorted(rng.choices(world.days, cum_weights=world.day_weights, k=len(numbers)))
    parts = quotas if quotas is not None else [None] * len(numbers)
    requests = [
        _draw_request(rng, world, day, nhs, quota)
        for day, nhs, quota in zip(days, numbers, parts, strict=True)
    ]
    requests.sort(key=lambda request: request.row["submitted_at"])
    if quotas is None:
        _hold_newest(requests)
    rows: list[Row] = []
    messages: list[Row] = []
    for request in requests:
        lead = world.leads.get(request.row["specialty_code"])
        row, thread = settle(rng, request, _story(rng, world, request), world.as_of, lead)
        rows.append(row)
        messages.extend(thread)
    return rows, messages


def _story(rng: random.Random, world: World, request: Request) -> Timeline:
    """The request's story; in a final world, redrawn until it ends before ``as_of``.

    Only a request sent near the end of a year with a long story is redrawn, so the year's
    last requests are answered and closed a little faster than the rest, as when a year's
    figures are being counted.
    """
    story = timeline(rng, world, request)
    while world.final and story.events[-1].at >= world.as_of:
        story = timeline(rng, world, request)
    return story


def _hold_newest(requests: Sequence[Request]) -> None:
    """Leave the newest requests to the demo specialist's specialties unanswered."""
    for code in DEMO_SPECIALIST_CODES:
        theirs = [r for r in requests if r.row["specialty_code"] == code]
        for request in theirs[-HELD_PER_DEMO_SPECIALTY:]:
            request.held = True


def _scenario(rng: random.Random, wording: DemoWording, code: str) -> Scenario:
    return choose(rng, wording.scenarios[code], wording.scenario_weights[code])


def _would_have_referred(rng: random.Random, quota: Quota | None) -> str:
    """The GP's answer: by chance, or as the quota says ("no" or "unsure" when not "yes")."""
    if quota is None:
        return choose(rng, _WOULD_HAVE_REFERRED, _WOULD_HAVE_REFERRED_CUM_WEIGHTS)
    if quota.would_have_referred:
        return _YES
    return choose(rng, _WOULD_NOT, _WOULD_NOT_CUM_WEIGHTS)


def _draw_request(
    rng: random.Random, world: World, day: date, nhs_number: str, quota: Quota | None = None
) -> Request:
    practice = choose(rng, world.practices, world.practice_weights)
    code = choose(rng, world.specialties, world.specialty_weights)
    requester = choose(rng, *world.gps[practice])
    priority = URGENT if rng.random() < URGENT_SHARE else ROUTINE
    target = world.targets[code, priority]
    submitted = time_on(rng, day)
    scenario = _scenario(rng, world.wording, code)
    patient = draw_patient(rng, world.wording, code, scenario, day, nhs_number)
    whr = _would_have_referred(rng, quota)
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
        "patient_family_name": patient.family_name,
        "patient_given_name": patient.given_name,
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
    avoided = quota.avoided if quota is not None and quota.would_have_referred else None
    return Request(row, target, scenario, avoided=avoided)


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
        "patient_family_name": patient.family_name,
        "patient_given_name": patient.given_name,
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
