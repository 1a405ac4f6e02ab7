"""The world a demo year is drawn from: its calendar, practices, specialties and staff.

Volumes follow practice list sizes (each practice a little keener or shyer than its size
suggests; the demo GP's practice keen), the UK A&G specialty mix and the seasons: fewer
requests in August and over Christmas, more on Mondays, a trickle at weekends.

A world is the 365 days before a day by default; a published year's world
(:mod:`.scheme_year`) is its financial year, with that year's specialties only, and is
*final*: every story is drawn to its end before ``as_of``, a while after the last day.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from bhcp_ag.domain import clock
from bhcp_ag.domain.conversation import Priority
from bhcp_ag.domain.demo import people
from bhcp_ag.domain.demo.people import Pool
from bhcp_ag.domain.demo.wording import DEFAULT_SPECIALTY_VOLUME, DemoWording, Scenario
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.domain.templates import RequestTemplate

DAYS = 365
ROUTINE = Priority.ROUTINE.value
URGENT = Priority.URGENT.value
_MONTH_FACTOR = (1.0, 1.0, 1.05, 0.95, 1.0, 1.0, 0.95, 0.72, 1.0, 1.05, 1.05, 0.88)
_WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 1.0, 0.85)


@dataclass
class World:
    """Everything a conversation is drawn from, built once per run."""

    wording: DemoWording
    templates: dict[str, RequestTemplate]
    targets: dict[tuple[str, str], float]  # working days by specialty and priority
    as_of: datetime  # nothing happens at or after it: by default midnight starting ``end``
    days: list[date]
    day_weights: list[float]
    practices: list[str]
    practice_weights: list[float]
    specialties: list[str]
    specialty_weights: list[float]
    gps: dict[str, Pool]
    specialists: dict[str, Pool]
    people: list[Person]  # the generated GPs and specialists (not the demo users)
    final: bool = False  # every story ends before ``as_of`` (a published year's counts)
    leads: dict[str, str] = field(default_factory=dict)  # the name advice is given under


@dataclass(slots=True)
class Request:
    """A request as sent: its conversation's columns as fixed at submission."""

    row: dict[str, Any]
    target: float  # working days to the first response
    scenario: Scenario
    held: bool = False  # left unanswered, so the demo specialist's queue is never empty
    avoided: bool | None = None  # the referral must be avoided (or not); None: by chance


def build_world(
    rng: random.Random,
    wording: DemoWording,
    references: tuple[Organisation, SpecialtyCatalogue, ResponseTargets],
    end: date,
    *,
    first: date | None = None,
    specialty_codes: Sequence[str] | None = None,
    settled_by: date | None = None,
) -> World:
    """The calendar from ``first`` (default: 365 days before ``end``) to the day before
    ``end``, and the Bay's practices and staff.

    ``specialty_codes`` narrows the catalogue's specialties (default: all of them); with
    ``settled_by`` the world is final: every story ends before midnight at its start.
    """
    organisation, catalogue, targets = references
    start = first or end - timedelta(days=DAYS)
    days = [start + timedelta(days=offset) for offset in range((end - start).days)]
    practices = organisation.practices
    keenness = [rng.uniform(0.7, 1.3) for _ in practices]
    keenness[0] *= 1.5  # the demo GP's practice is one of the keen ones
    codes = [s.tfc_code for s in catalogue.all()]
    if specialty_codes is not None:
        wanted = set(specialty_codes)
        codes = [code for code in codes if code in wanted]
    gp_counts = [max(3, min(6, round(p.list_size / 2000))) for p in practices]
    specialist_counts = [rng.randint(2, 4) for _ in codes]
    names = iter(people.names(rng, wording, sum(gp_counts) + sum(specialist_counts)))
    gps, gp_people = people.practice_gps(rng, practices, gp_counts, names)
    leads = {s.tfc_code: (s.lead_username, s.lead_name) for s in catalogue.all() if s.lead_name}
    specialists, specialist_people = people.specialists(
        rng, codes, specialist_counts, names, leads=leads
    )
    volume = wording.specialty_volume
    return World(
        wording=wording,
        templates={code: catalogue.template(code) for code in codes},
        targets={
            (code, priority): targets.working_days(code, priority)
            for code in codes
            for priority in (ROUTINE, URGENT)
        },
        as_of=_london_midnight(settled_by or end),
        days=days,
        day_weights=list(accumulate(day_weight(day) for day in days)),
        practices=[p.code for p in practices],
        practice_weights=list(
            accumulate(p.list_size * k for p, k in zip(practices, keenness, strict=True))
        ),
        specialties=codes,
        specialty_weights=list(
            accumulate(volume.get(code, DEFAULT_SPECIALTY_VOLUME) for code in codes)
        ),
        gps=gps,
        specialists=specialists,
        people=gp_people + specialist_people,
        final=settled_by is not None,
        leads={code: name for code, (_user, name) in leads.items()},
    )


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=clock.LONDON).astimezone(UTC)


def day_weight(day: date) -> float:
    """Relative number of requests sent on ``day``: weekdays, seasons and Christmas."""
    if not clock.is_working_date(day):
        return 0.03
    weight = _MONTH_FACTOR[day.month - 1] * _WEEKDAY_FACTOR[day.weekday()]
    if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day <= 2):
        weight *= 0.35
    return weight
