"""Realistic, deterministic demo data: a Bay year of Advice and Guidance conversations.

:func:`generate_demo_data` fills an empty store with the 365 days before ``end``: activity
stops at midnight at the start of ``end`` (London time), so nothing lies in the future
when ``end`` is today. Volumes follow practice list sizes, the UK A&G specialty mix and
the seasons; about half the requests would have been referred, about two thirds of those
are avoided, and about 83% get a first response within the response target, counted in
working time by :mod:`bhcp_ag.domain.clock`.

Every value comes from one ``random.Random(seed)``, ids included (UUID version 7: the
simulated time, then random bits), so the same arguments give the same rows. Each
conversation's whole story is planned first, then cut off at the end of the year: that is
what leaves the last fortnight's conversations open in realistic states.

Speed matters (100,000 conversations and about 375,000 messages): rows are plain dicts,
written in one transaction in large batches with the driver's ``executemany`` on SQLite
(Core ``insert`` elsewhere), never an ORM object per row; enum values used in the hot
loop are held as plain strings.

The patients are synthetic (NHS numbers in the 999 test range) and the wording is built
from the phrase lists at the end of this module.
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import Date, Dialect, Engine, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from bhcp_ag.domain import clock
from bhcp_ag.domain.conversation import (
    ClosingOutcome,
    ConvertAuthorisation,
    Priority,
    Recommendation,
    Role,
    SpecialistOutcome,
    Status,
    WouldHaveReferred,
    referral_avoided,
)
from bhcp_ag.domain.organisation import Organisation, Practice
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.domain.templates import FieldType, RequestTemplate, TemplateField
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import (
    Attachment,
    AttachmentContent,
    Conversation,
    HeldBackConversation,
    Message,
    OutboxChange,
    RejectedChange,
    UTCDateTime,
)
from bhcp_ag.store.reference import (
    DEMO_GP,
    DEMO_SPECIALIST,
    DEMO_SPECIALIST_CODES,
    seed_reference_data,
    upsert_users,
    user_id,
)

DAYS = 365
BATCH_ROWS = 20_000
URGENT_SHARE = 0.10
CANCEL_SHARE = 0.02
MORE_INFO_SHARE = 0.15
FOLLOW_UP_SHARE = 0.30
WITHIN_TARGET_SHARE = 0.83
AUTHORISED_SHARE = 0.45
OPTIONAL_ANSWER_SHARE = 0.4
DRAFTS = 5
HELD_PER_DEMO_SPECIALTY = 4  # newest requests left unanswered: the demo queue is never empty

# Enum values as plain strings: on Python 3.11 every enum member access costs a descriptor
# call, which adds up over a few million uses.
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
_ROUTINE = Priority.ROUTINE.value
_URGENT = Priority.URGENT.value
_WOULD_HAVE_REFERRED = tuple(answer.value for answer in WouldHaveReferred)  # yes, no, unsure
_WOULD_HAVE_REFERRED_CUM_WEIGHTS = (50, 80, 100)  # 50% yes, 30% no, 20% unsure
_AUTHORISED = ConvertAuthorisation.AUTHORISED_TO_CONVERT.value
_NOT_AUTHORISED = ConvertAuthorisation.NOT_AUTHORISED_TO_CONVERT.value
_JSON = json.JSONEncoder(sort_keys=True)  # as json.dumps(..., sort_keys=True), built once
# Submissions from 08:00 to 21:59: lunchtime and end-of-surgery peaks, a few evenings.
_HOURS = tuple(range(8, 22))
_HOUR_CUM_WEIGHTS = tuple(accumulate((6, 9, 10, 11, 13, 13, 9, 9, 11, 12, 7, 3.5, 2.5, 1)))
_MONTH_FACTOR = (1.0, 1.0, 1.05, 0.95, 1.0, 1.0, 0.95, 0.72, 1.0, 1.05, 1.05, 0.88)
_WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 1.0, 0.85)

Pool = tuple[list[str], list[float]]  # user ids and their cumulative weights
_T = TypeVar("_T")


class DemoDataRefused(RuntimeError):
    """The store already holds conversations, and replacing them was not asked for."""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo_data` wrote."""

    conversations: int  # every conversation row, drafts included
    drafts: int
    messages: int
    users: int  # generated GPs and specialists, besides the demo users
    would_have_referred: int  # requests whose GP answered "yes"
    avoided: int  # referral_avoided is true
    answered: int  # requests with a first response
    within_target: int  # of those, first response at or before due_at
    by_status: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None


class Scenario(NamedTuple):
    """One kind of request a specialty gets, with the advice it usually draws."""

    complaint: str
    question: str
    advice: str
    answers: Mapping[str, object]  # template answers the scenario fixes
    sex: str | None = None  # "female" or "male" when the scenario needs one
    ages: tuple[float, float] | None = None  # years
    weight: float = 1.0  # how common, relative to the specialty's other scenarios


class _Patient(NamedTuple):
    nhs_number: str
    birth_date: date
    sex: str
    age_days: int


class _Event(NamedTuple):
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
class _Request:
    row: dict[str, Any]  # the conversation's columns as fixed at submission
    target: float
    scenario: Scenario
    held: bool = False


@dataclass(slots=True)
class _Timeline:
    events: list[_Event]
    specialist_id: str | None = None
    claim_at: datetime | None = None
    closing_outcome: str | None = None


@dataclass
class _World:
    """Everything a conversation is drawn from, built once per run."""

    templates: dict[str, RequestTemplate]
    targets: dict[tuple[str, str], float]  # working days by specialty and priority
    as_of: datetime
    days: list[date]
    day_weights: list[float]
    practices: list[str]
    practice_weights: list[float]
    specialties: list[str]
    specialty_weights: list[float]
    gps: dict[str, Pool]
    specialists: dict[str, Pool]
    people: list[Person]


def generate_demo_data(
    store_or_engine: Store | Engine,
    *,
    conversations: int = 5000,
    seed: int = 2017,
    end: date | None = None,
    organisation: Organisation | None = None,
    catalogue: SpecialtyCatalogue | None = None,
    targets: ResponseTargets | None = None,
    replace: bool = False,
) -> DemoSummary:
    """Write a Bay year of ``conversations`` demo conversations ending at ``end``.

    ``end`` defaults to today in London. Refuses (:class:`DemoDataRefused`) a store that
    already holds conversations unless ``replace`` is true, which deletes them (with their
    messages, attachments, queued and rejected changes) first. Also adds the reference data, the
    demo users and the generated GPs and specialists. One transaction; prints nothing.
    """
    organisation = organisation or Organisation.load()
    catalogue = catalogue or SpecialtyCatalogue.load()
    targets = targets or ResponseTargets.load()
    end = end or datetime.now(clock.LONDON).date()
    engine = store_or_engine.engine if isinstance(store_or_engine, Store) else store_or_engine
    rng = random.Random(seed)
    with Session(engine) as session, session.begin():
        _make_room(session, replace)
        seed_reference_data(session, organisation, catalogue)
        world = _build_world(rng, organisation, catalogue, targets, end)
        upsert_users(session, world.people)
        drafts = min(DRAFTS, conversations // 20)
        numbers = _nhs_numbers(rng, conversations)
        rows, messages = _conversation_rows(rng, world, numbers[drafts:])
        rows.extend(_draft_row(rng, world, number) for number in numbers[:drafts])
        _insert(session, cast(Table, Conversation.__table__), rows)
        _insert(session, cast(Table, Message.__table__), messages)
    return _summarise(rows, len(messages), len(world.people), world)


def _make_room(session: Session, replace: bool) -> None:
    existing = session.scalar(select(func.count()).select_from(Conversation)) or 0
    if not existing:
        return
    if not replace:
        raise DemoDataRefused(
            f"This store already holds {existing:,} conversations; demo data is only "
            "generated into an empty store. Use a new store, or replace them "
            "(replace=True deletes every conversation in this store first)."
        )
    session.execute(delete(Attachment))
    session.execute(delete(AttachmentContent))
    session.execute(delete(Message))
    session.execute(delete(OutboxChange).where(OutboxChange.conversation_id.is_not(None)))
    session.execute(delete(RejectedChange).where(RejectedChange.conversation_id.is_not(None)))
    session.execute(delete(HeldBackConversation))
    session.execute(delete(Conversation))


def _insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` in large batches without an ORM object (or Core overhead) per row.

    On SQLite the values are converted with the columns' own bind processors (or checked
    faster equivalents) and written with the driver's ``executemany`` on the session's
    connection, inside its transaction; other databases get a Core ``insert``.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite" or not rows:
        for start in range(0, len(rows), BATCH_ROWS):
            session.execute(insert(table), rows[start : start + BATCH_ROWS])
        return
    rows = sorted(rows, key=itemgetter("id"))  # time-ordered ids: append-mostly indexes
    writers = _column_writers(table, connection.dialect, rows)
    names = [name for name, _ in writers]
    converted = [(index, writer) for index, (_, writer) in enumerate(writers) if writer]
    values_of = itemgetter(*names)
    columns = ", ".join(names)
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(names))})"
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = dbapi_connection.cursor()  # the session's own connection and transaction
    try:
        for start in range(0, len(rows), BATCH_ROWS):
            values = [list(values_of(row)) for row in rows[start : start + BATCH_ROWS]]
            for index, writer in converted:
                for row_values in values:
                    row_values[index] = writer(row_values[index])
            cursor.executemany(sql, values)
    finally:
        cursor.close()


Writer = Callable[[Any], Any] | None


def _column_writers(
    table: Table, dialect: Dialect, rows: Sequence[dict[str, Any]]
) -> list[tuple[str, Writer]]:
    """Each column's name and how to turn a value into what the driver stores.

    Dates and times get fast writers, each checked against the column type's own bind
    processor on the first value, so the stored text is exactly what SQLAlchemy writes.
    """
    writers: list[tuple[str, Writer]] = []
    for column in table.columns:
        processor: Writer = column.type.dialect_impl(dialect).bind_processor(dialect)
        fast = _FAST_WRITERS.get(type(column.type))
        if fast is not None and processor is not None:
            sample = next((row[column.name] for row in rows if row[column.name]), None)
            if sample is None or processor(sample) == fast(sample):
                processor = fast
        writers.append((column.name, processor))
    return writers


def _utc_text(moment: datetime | None) -> str | None:
    """An aware datetime as SQLite stores naive UTC: '2025-03-04 10:15:00.000000'."""
    if moment is None:
        return None
    t = moment.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (twice as fast here)
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond
    )  # fmt: skip


def _date_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


_FAST_WRITERS: dict[type, Callable[[Any], Any]] = {UTCDateTime: _utc_text, Date: _date_text}


_UUID7_BITS = (0x7 << 76) | (0x2 << 62)  # version 7, RFC 9562 variant
_RANDOM_A_SHIFT = 64
_RANDOM_B_MASK = (1 << 62) - 1


def _new_id(rng: random.Random, moment: datetime) -> str:
    """A version-7 UUID: ``moment``'s milliseconds, then 74 bits from ``rng``.

    The same seed gives the same ids, and ids sort by time, so rows inserted in time
    order keep SQLite's indexes append-mostly (several times faster than random keys).
    """
    milliseconds = int(moment.timestamp() * 1000)
    bits = rng.getrandbits(74)
    value = (
        (milliseconds << 80)
        | _UUID7_BITS
        | ((bits >> 62) << _RANDOM_A_SHIFT)
        | (bits & _RANDOM_B_MASK)
    )
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _choose(rng: random.Random, items: Sequence[_T], cum_weights: Sequence[float]) -> _T:
    """One of ``items`` by cumulative weight (what ``rng.choices`` does, without its setup)."""
    return items[bisect(cum_weights, rng.random() * cum_weights[-1], 0, len(items) - 1)]


# --- the world: calendar, practices, specialties and people --------------------------------


def _build_world(
    rng: random.Random,
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
    targets: ResponseTargets,
    end: date,
) -> _World:
    days = [end - timedelta(days=offset) for offset in range(DAYS, 0, -1)]
    practices = organisation.practices
    keenness = [rng.uniform(0.7, 1.3) for _ in practices]
    keenness[0] *= 1.5  # the demo GP's practice is one of the keen ones
    codes = [s.tfc_code for s in catalogue.all()]
    gp_counts = [max(3, min(6, round(p.list_size / 2000))) for p in practices]
    specialist_counts = [rng.randint(2, 4) for _ in codes]
    names = iter(_names(rng, sum(gp_counts) + sum(specialist_counts)))
    gps, gp_people = _practice_gps(rng, practices, gp_counts, names)
    specialists, specialist_people = _specialists(rng, codes, specialist_counts, names)
    return _World(
        templates={code: catalogue.template(code) for code in codes},
        targets={
            (code, priority): targets.working_days(code, priority)
            for code in codes
            for priority in (_ROUTINE, _URGENT)
        },
        as_of=datetime.combine(end, time(0, 0), tzinfo=clock.LONDON).astimezone(UTC),
        days=days,
        day_weights=list(accumulate(_day_weight(day) for day in days)),
        practices=[p.code for p in practices],
        practice_weights=list(
            accumulate(p.list_size * k for p, k in zip(practices, keenness, strict=True))
        ),
        specialties=codes,
        specialty_weights=list(accumulate(SPECIALTY_VOLUME.get(code, 2.0) for code in codes)),
        gps=gps,
        specialists=specialists,
        people=gp_people + specialist_people,
    )


def _day_weight(day: date) -> float:
    """Relative number of requests sent on ``day``: weekdays, seasons and Christmas."""
    if not clock.is_working_date(day):
        return 0.03
    weight = _MONTH_FACTOR[day.month - 1] * _WEEKDAY_FACTOR[day.weekday()]
    if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day <= 2):
        weight *= 0.35
    return weight


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` distinct (first name, surname) pairs, so usernames never collide."""
    pairs = [(first, last) for first in FIRST_NAMES for last in SURNAMES]
    return rng.sample(pairs, count)


def _practice_gps(
    rng: random.Random,
    practices: Sequence[Practice],
    counts: Sequence[int],
    names: Iterator[tuple[str, str]],
) -> tuple[dict[str, Pool], list[Person]]:
    """Each practice's GPs; the demo GP joins the first practice and asks the most."""
    pools: dict[str, Pool] = {}
    people: list[Person] = []
    for practice, count in zip(practices, counts, strict=True):
        ids, weights = [], []
        for first, last in (next(names) for _ in range(count)):
            username = f"{first}.{last}".lower()
            people.append(
                Person(username, f"Dr {first} {last}", Role.GP, practice_code=practice.code)
            )
            ids.append(user_id(username))
            weights.append(rng.uniform(0.5, 1.5))
        pools[practice.code] = (ids, weights)
    pools[practices[0].code][0].append(user_id(DEMO_GP))
    pools[practices[0].code][1].append(2.0)
    return {code: (ids, list(accumulate(w))) for code, (ids, w) in pools.items()}, people


def _specialists(
    rng: random.Random,
    codes: Sequence[str],
    counts: Sequence[int],
    names: Iterator[tuple[str, str]],
) -> tuple[dict[str, Pool], list[Person]]:
    """Each specialty's consultants and nurse specialists, with the demo specialist."""
    pools: dict[str, Pool] = {}
    people: list[Person] = []
    for code, count in zip(codes, counts, strict=True):
        ids: list[str] = []
        for first, last in (next(names) for _ in range(count)):
            nurse = rng.random() < 0.25
            display = (
                f"{first} {last}, Clinical Nurse Specialist" if nurse else f"Dr {first} {last}"
            )
            username = f"{first}.{last}".lower()
            people.append(Person(username, display, Role.SPECIALIST, specialty_codes=(code,)))
            ids.append(user_id(username))
        weights = [1.0] * len(ids)
        if code in DEMO_SPECIALIST_CODES:
            ids.append(user_id(DEMO_SPECIALIST))
            weights.append(2.0)
        pools[code] = (ids, list(accumulate(weights)))
    return pools, people


# --- requests ------------------------------------------------------------------------------


def _conversation_rows(
    rng: random.Random, world: _World, numbers: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The submitted conversations and all their messages, as rows for Core inserts."""
    days = sorted(rng.choices(world.days, cum_weights=world.day_weights, k=len(numbers)))
    requests = [_draw_request(rng, world, day, nhs) for day, nhs in zip(days, numbers, strict=True)]
    requests.sort(key=lambda request: request.row["submitted_at"])
    _hold_newest(requests)
    rows: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for request in requests:
        row, thread = _settle(rng, request, _timeline(rng, world, request), world.as_of)
        rows.append(row)
        messages.extend(thread)
    return rows, messages


def _hold_newest(requests: Sequence[_Request]) -> None:
    """Leave the newest requests to the demo specialist's specialties unanswered."""
    for code in DEMO_SPECIALIST_CODES:
        theirs = [r for r in requests if r.row["specialty_code"] == code]
        for request in theirs[-HELD_PER_DEMO_SPECIALTY:]:
            request.held = True


def _nhs_numbers(rng: random.Random, count: int) -> list[str]:
    """Distinct valid NHS numbers in the synthetic 999 range (repeats only past ~900,000)."""
    numbers: list[str] = []
    population = 1_000_000
    for serial in rng.sample(range(population), min(population, count + count // 8 + 100)):
        check = _check_digit(serial)
        if check is not None:
            numbers.append(f"999{serial:06d}{check}")
            if len(numbers) == count:
                return numbers
    while numbers and len(numbers) < count:
        numbers.append(rng.choice(numbers))
    return numbers


def _weighted_digit_sums(weights: tuple[int, int, int]) -> tuple[int, ...]:
    return tuple(
        sum(int(digit) * weight for digit, weight in zip(f"{n:03d}", weights, strict=True))
        for n in range(1000)
    )


_SUM_999 = 9 * 10 + 9 * 9 + 9 * 8  # the prefix's share of the modulus-11 weighted sum
_SUMS_HIGH = _weighted_digit_sums((7, 6, 5))
_SUMS_LOW = _weighted_digit_sums((4, 3, 2))


def _check_digit(serial: int) -> int | None:
    """The modulus-11 check digit of NHS number 999 + ``serial`` (6 digits); None if none."""
    check = 11 - (_SUM_999 + _SUMS_HIGH[serial // 1000] + _SUMS_LOW[serial % 1000]) % 11
    return None if check == 10 else check % 11


def _time_on(rng: random.Random, day: date) -> datetime:
    """A time on ``day`` when a GP might be writing a request, in UTC."""
    hour = _choose(rng, _HOURS, _HOUR_CUM_WEIGHTS)
    wall = time(hour, rng.randrange(60), rng.randrange(60))
    return datetime.combine(day, wall, tzinfo=clock.LONDON).astimezone(UTC)


def _draw_request(rng: random.Random, world: _World, day: date, nhs_number: str) -> _Request:
    practice = _choose(rng, world.practices, world.practice_weights)
    code = _choose(rng, world.specialties, world.specialty_weights)
    requester = _choose(rng, *world.gps[practice])
    priority = _URGENT if rng.random() < URGENT_SHARE else _ROUTINE
    target = world.targets[code, priority]
    submitted = _time_on(rng, day)
    scenario = _scenario(rng, code)
    patient = _draw_patient(rng, code, scenario, day, nhs_number)
    whr = _choose(rng, _WOULD_HAVE_REFERRED, _WOULD_HAVE_REFERRED_CUM_WEIGHTS)
    authorised = rng.random() < AUTHORISED_SHARE
    created = submitted - timedelta(minutes=rng.randint(4, 50))
    row = {
        "id": _new_id(rng, created),
        "practice_code": practice,
        "requester_id": requester,
        "specialty_code": code,
        "priority": priority,
        "patient_nhs_number": patient.nhs_number,
        "patient_birth_date": patient.birth_date,
        "patient_sex": patient.sex,
        **_request_content(rng, world.templates[code], scenario, patient, day),
        "would_have_referred": whr,
        "convert_authorisation": _AUTHORISED if authorised else _NOT_AUTHORISED,
        "created_at": created,
        "submitted_at": submitted,
        "due_at": clock.due_at(submitted, target),
    }
    return _Request(row, target, scenario)


def _scenario(rng: random.Random, code: str) -> Scenario:
    return _choose(rng, SCENARIOS[code], _SCENARIO_CUM_WEIGHTS[code])


def _draw_patient(
    rng: random.Random, code: str, scenario: Scenario, day: date, nhs_number: str
) -> _Patient:
    """A patient of an age and sex that fit the specialty and the scenario."""
    low, mode, high, female_share = AGE_PROFILE.get(code, (18.0, 50.0, 90.0, 0.55))
    if scenario.ages is not None:
        low, high = max(low, scenario.ages[0]), min(high, scenario.ages[1])
        low, high = (low, high) if low < high else scenario.ages
        mode = min(max(mode, low), high)
    age_days = int(rng.triangular(low, high, mode) * 365.25)
    sex = scenario.sex or ("female" if rng.random() < female_share else "male")
    return _Patient(nhs_number, day - timedelta(days=age_days), sex, age_days)


# --- what happens to a request -------------------------------------------------------------


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


def _fate(rng: random.Random, row: Mapping[str, Any]) -> str:
    """How the request will end: cancel, convert, referred, managed or tests."""
    if rng.random() < CANCEL_SHARE:
        return "cancel"
    yes = row["would_have_referred"] == _YES
    if row["convert_authorisation"] == _AUTHORISED and rng.random() < (0.24 if yes else 0.06):
        return "convert"
    if rng.random() < (0.25 if yes else 0.10):
        return "referred"
    return "managed" if rng.random() < 0.72 else "tests"


def _timeline(rng: random.Random, world: _World, request: _Request) -> _Timeline:
    """Every event of the request's story, whether or not it has happened by the year end."""
    gp, submitted = request.row["requester_id"], request.row["submitted_at"]
    body = f"{request.row['question']}\n\n{request.row['clinical_summary']}"
    events = [_Event(submitted, _AWAITING, "request", gp, _GP, body)]
    if request.held:
        return _Timeline(events)
    fate = _fate(rng, request.row)
    working_days = _response_fraction(rng) * request.target
    if fate == "cancel":
        at = clock.due_at(submitted, working_days * rng.uniform(0.1, 0.9))
        events.append(_Event(at, _CANCELLED, "note", gp, _GP, rng.choice(CANCEL_NOTES)))
        return _Timeline(events)
    specialist = _choose(rng, *world.specialists[request.row["specialty_code"]])
    at = clock.due_at(submitted, working_days)
    claim_at = _claim_time(rng, submitted, at, working_days, world.as_of)
    if rng.random() < MORE_INFO_SHARE:
        at = _more_info_round(rng, events, (specialist, gp), at, request.target)
    if fate == "convert":
        note = rng.choice(CONVERSIONS)
        events.append(_Event(at, _CONVERTED, "advice", specialist, _SPECIALIST, note, _CONVERT))
        return _Timeline(events, specialist, claim_at)
    at = _advice_rounds(rng, events, (specialist, gp), at, request, fate)
    closed = clock.due_at(at, _closing_delay(rng))
    closing = CLOSING_OUTCOMES[fate]
    events.append(_Event(closed, _CLOSED, "note", gp, _GP, rng.choice(CLOSING_NOTES[closing])))
    return _Timeline(events, specialist, claim_at, closing)


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
    rng: random.Random, events: list[_Event], who: tuple[str, str], at: datetime, target: float
) -> datetime:
    """The specialist asks, the GP replies; returns when the advice comes."""
    specialist, gp = who
    question, reply = rng.choice(QUESTIONS)
    events.append(_Event(at, _MORE_INFO, "question", specialist, _SPECIALIST, question, _NEED_INFO))
    replied = clock.due_at(at, _gp_delay(rng))
    events.append(_Event(replied, _AWAITING, "reply", gp, _GP, reply))
    return clock.due_at(replied, rng.uniform(0.1, 1.0) * target)


def _advice_rounds(
    rng: random.Random,
    events: list[_Event],
    who: tuple[str, str],
    at: datetime,
    request: _Request,
    fate: str,
) -> datetime:
    """Advice, and sometimes a GP follow-up and its answer; returns the last advice time."""
    specialist, gp = who
    rec = rng.choice(RECOMMENDATIONS[fate])
    advice = f"{request.scenario.advice} {rng.choice(RECOMMENDATION_WORDS[rec])}"
    events.append(_Event(at, _ADVISED, "advice", specialist, _SPECIALIST, advice, _ADVICE, rec))
    if rng.random() >= FOLLOW_UP_SHARE:
        return at
    ask, answer = rng.choice(FOLLOW_UPS)
    asked = clock.due_at(at, _gp_delay(rng))
    events.append(_Event(asked, _AWAITING, "follow_up", gp, _GP, ask))
    answered = clock.due_at(asked, rng.uniform(0.1, 1.0) * request.target)
    events.append(
        _Event(answered, _ADVISED, "advice", specialist, _SPECIALIST, answer, _ADVICE, rec)
    )
    return answered


def _settle(
    rng: random.Random, request: _Request, timeline: _Timeline, as_of: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The conversation as it stands at ``as_of``: its row and the messages sent by then."""
    row = request.row
    events = timeline.events
    happened = events if events[-1].at < as_of else [e for e in events if e.at < as_of]
    last = happened[-1]
    claim_at = timeline.claim_at if timeline.claim_at and timeline.claim_at < as_of else None
    answered = next((e for e in reversed(happened) if e.outcome is not None), None)
    closing = timeline.closing_outcome if last.status == _CLOSED else None
    row.update(
        status=last.status,
        updated_at=max(last.at, claim_at) if claim_at else last.at,
        first_response_at=next((e.at for e in happened if e.role == _SPECIALIST), None),
        closed_at=None if last.status in _OPEN else last.at,
        claimed_by_id=timeline.specialist_id if claim_at else None,
        claimed_at=claim_at,
        specialist_outcome=answered.outcome if answered else None,
        recommendation=answered.recommendation if answered else None,
        closing_outcome=closing,
        referral_avoided=referral_avoided(row["would_have_referred"], last.status, closing),
    )
    return row, [_message_row(rng, row["id"], event) for event in happened]


def _message_row(rng: random.Random, conversation_id: str, event: _Event) -> dict[str, Any]:
    return {
        "id": _new_id(rng, event.at),
        "conversation_id": conversation_id,
        "author_id": event.author_id,
        "author_role": event.role,
        "kind": event.kind,
        "body": event.body,
        "specialist_outcome": event.outcome,
        "recommendation": event.recommendation,
        "created_at": event.at,
    }


# --- drafts and the summary ----------------------------------------------------------------

_UNSET_WHEN_DRAFT = (
    "submitted_at",
    "due_at",
    "first_response_at",
    "closed_at",
    "claimed_by_id",
    "claimed_at",
    "specialist_outcome",
    "recommendation",
    "closing_outcome",
    "would_have_referred",
    "convert_authorisation",
)


def _draft_row(rng: random.Random, world: _World, nhs_number: str) -> dict[str, Any]:
    """One of the demo GP's requests still being written, in the last few days."""
    day = world.days[-rng.randint(1, 4)]
    code = _choose(rng, world.specialties, world.specialty_weights)
    scenario = _scenario(rng, code)
    patient = _draw_patient(rng, code, scenario, day, nhs_number)
    content = _request_content(rng, world.templates[code], scenario, patient, day)
    if rng.random() < 0.6:  # not got to the summary and the template yet
        content.update(clinical_summary="", template_answers="{}", medication="", results="")
    started = _time_on(rng, day)
    edited = min(started + timedelta(minutes=rng.randint(2, 30)), world.as_of)
    return {
        "id": _new_id(rng, started),
        "practice_code": world.practices[0],
        "requester_id": user_id(DEMO_GP),
        "specialty_code": code,
        "priority": Priority.ROUTINE.value,
        "status": Status.DRAFT.value,
        "patient_nhs_number": patient.nhs_number,
        "patient_birth_date": patient.birth_date,
        "patient_sex": patient.sex,
        **content,
        "created_at": started,
        "updated_at": edited,
        **dict.fromkeys(_UNSET_WHEN_DRAFT),
        "referral_avoided": False,
    }


def _summarise(
    rows: Sequence[dict[str, Any]], messages: int, users: int, world: _World
) -> DemoSummary:
    statuses: Counter[str] = Counter()
    yes = avoided = answered = within = 0
    for row in rows:
        statuses[row["status"]] += 1
        yes += row["would_have_referred"] == _YES
        avoided += bool(row["referral_avoided"])
        if row["first_response_at"] is not None:
            answered += 1
            within += row["first_response_at"] <= row["due_at"]
    return DemoSummary(
        conversations=len(rows),
        drafts=statuses[Status.DRAFT.value],
        messages=messages,
        users=users,
        would_have_referred=yes,
        avoided=avoided,
        answered=answered,
        within_target=within,
        by_status=dict(sorted(statuses.items())),
        first_day=world.days[0],
        last_day=world.days[-1],
    )


# --- what the GP writes ------------------------------------------------------------------


def _request_content(
    rng: random.Random,
    template: RequestTemplate,
    scenario: Scenario,
    patient: _Patient,
    day: date,
) -> dict[str, str]:
    """The question, clinical summary, medication, results and template answers."""
    duration = _duration(rng, patient)
    adult = patient.age_days >= 18 * 365.25
    background = BACKGROUND_ELDERLY if patient.age_days >= 75 * 365.25 else BACKGROUND_ADULT
    summary = (
        f"{_described(patient)} with {scenario.complaint} for {duration}. "
        f"{rng.choice(background if adult else BACKGROUND_CHILD)} {rng.choice(EXAMINATIONS)}"
    )
    answers = _template_answers(rng, template, scenario, patient, day, duration)
    return {
        "question": scenario.question,
        "clinical_summary": summary,
        "medication": rng.choice(MEDICATION_ADULT if adult else MEDICATION_CHILD),
        "results": rng.choice(RESULTS),
        "template_answers": _JSON.encode(answers),
    }


def _duration(rng: random.Random, patient: _Patient) -> str:
    """How long the problem has lasted: never longer than the patient has lived."""
    fitting = bisect(_DURATION_DAYS, patient.age_days)
    return rng.choice(_DURATION_TEXTS[: max(fitting, 1)])


def _described(patient: _Patient) -> str:
    """'54-year-old woman', '7-year-old boy', '9-month-old girl'."""
    years = patient.age_days / 365.25
    female = patient.sex == "female"
    if years < 2:
        months = max(1, int(patient.age_days / 30.44))
        return f"{months}-month-old {'girl' if female else 'boy'}"
    if years < 18:
        return f"{int(years)}-year-old {'girl' if female else 'boy'}"
    return f"{int(years)}-year-old {'woman' if female else 'man'}"


def _template_answers(
    rng: random.Random,
    template: RequestTemplate,
    scenario: Scenario,
    patient: _Patient,
    day: date,
    duration: str,
) -> dict[str, Any]:
    """Every required field answered (the scenario's own answers first), some optional."""
    answers: dict[str, Any] = {}
    for fld in template.fields:
        if fld.key in scenario.answers:
            answers[fld.key] = scenario.answers[fld.key]
            continue
        if not fld.required and rng.random() >= OPTIONAL_ANSWER_SHARE:
            continue
        derive = _DERIVED.get(fld.key)
        value = derive(rng, patient, day, duration) if derive else _answer(rng, fld, day)
        if value is not None:
            answers[fld.key] = value
    return answers


def _answer(rng: random.Random, fld: TemplateField, day: date) -> object:
    """A plausible answer to a field by its type (None leaves an optional field blank)."""
    if fld.type in (FieldType.TEXT, FieldType.LONGTEXT):
        pool = TEXT_ANSWERS.get(fld.key)
        if pool:
            return rng.choice(pool)
        return "As in the clinical summary." if fld.required else None
    if fld.type is FieldType.CHOICE:
        definite = [c for c in fld.choices if not c.startswith("Not ") and c != "Other"]
        return rng.choice(definite or list(fld.choices))
    if fld.type is FieldType.MULTICHOICE:
        return _multichoice(rng, fld)
    if fld.type is FieldType.NUMBER:
        return _number(rng, fld)
    if fld.type is FieldType.DATE:
        return (day - timedelta(days=rng.randint(7, 90))).isoformat()
    return "yes" if rng.random() < 0.25 else "no"


def _multichoice(rng: random.Random, fld: TemplateField) -> list[str]:
    """Usually 'None' for warning signs (A&G is not for red flags), else one or two."""
    others = [c for c in fld.choices if c != "None"]
    if "None" in fld.choices:
        warning = any(word in fld.key for word in ("red_flag", "alarm", "b_symptom", "complic"))
        if rng.random() < (0.92 if warning else 0.6):
            return ["None"]
    return sorted(rng.sample(others, min(len(others), rng.randint(1, 2))))


def _number(rng: random.Random, fld: TemplateField) -> float | int:
    """A typical value for the field, kept within the field's own bounds."""
    floor = fld.min if fld.min is not None else 0.0
    ceiling = fld.max if fld.max is not None else math.inf
    typical = (floor, min(ceiling, floor + 100.0), 0)
    low, high, places = NUMBER_RANGES.get(fld.key, typical)
    value = min(max(rng.uniform(low, high), floor), ceiling)
    return int(round(value)) if places == 0 else round(value, places)


def _female_age(patient: _Patient) -> float | None:
    return patient.age_days / 365.25 if patient.sex == "female" else None


def _menopausal_status(rng: random.Random, patient: _Patient, day: date, _d: str) -> str:
    age = _female_age(patient) or 0
    return "Premenopausal" if age < 45 else "Perimenopausal" if age < 55 else "Postmenopausal"


def _could_be_pregnant(patient: _Patient) -> bool:
    age = _female_age(patient)
    return age is not None and 14 <= age < 50


def _pregnancy(rng: random.Random, patient: _Patient, day: date, _d: str) -> str:
    return "Not pregnant" if _could_be_pregnant(patient) else "Not applicable"


def _pregnancy_test(rng: random.Random, patient: _Patient, day: date, _d: str) -> str:
    if not _could_be_pregnant(patient):
        return "Not applicable"
    return "Negative" if rng.random() < 0.7 else "Not done"


def _cycle_relation(rng: random.Random, patient: _Patient, day: date, _d: str) -> str:
    age = _female_age(patient)
    if age is None:
        return "Not applicable"
    if age >= 55:
        return "Postmenopausal"
    return "Cyclical" if rng.random() < 0.6 else "Non-cyclical"


def _last_period(rng: random.Random, patient: _Patient, day: date, _d: str) -> str | None:
    if not _could_be_pregnant(patient) or (_female_age(patient) or 0) >= 50:
        return None
    return (day - timedelta(days=rng.randint(3, 30))).isoformat()


def _age_months(rng: random.Random, patient: _Patient, day: date, _d: str) -> int:
    return min(216, int(patient.age_days / 30.44))


def _weight_kg(rng: random.Random, patient: _Patient, day: date, _d: str) -> float:
    years = patient.age_days / 365.25
    typical = 3.5 + 7 * years if years < 1 else 8 + 2 * years if years < 10 else 3 * years - 2
    return round(typical * rng.uniform(0.85, 1.15), 1)


def _height_cm(rng: random.Random, patient: _Patient, day: date, _d: str) -> int:
    years = patient.age_days / 365.25
    typical = 50 + 25 * years if years < 1 else min(180, 75 + 6 * years)
    return int(typical * rng.uniform(0.95, 1.05))


def _same_duration(rng: random.Random, patient: _Patient, day: date, duration: str) -> str:
    return duration


_DERIVED: dict[str, Callable[[random.Random, _Patient, date, str], object]] = {
    "duration": _same_duration,
    "menopausal_status": _menopausal_status,
    "pregnancy": _pregnancy,
    "pregnancy_status": _pregnancy,
    "pregnancy_test": _pregnancy_test,
    "cycle_relation": _cycle_relation,
    "last_menstrual_period": _last_period,
    "age_months": _age_months,
    "weight_kg": _weight_kg,
    "height_cm": _height_cm,
}


# --- phrase lists: invented wording, no real patients ---------------------------------------
# fmt: off

# Relative request volumes, after the UK A&G mix (dermatology first by a distance).
SPECIALTY_VOLUME: dict[str, float] = {
    "330": 14, "301": 9, "320": 8, "410": 7, "101": 6.5, "120": 6.5, "502": 6.5, "110": 6.5,
    "302": 6, "303": 6, "340": 4, "400": 4, "100": 3.5, "104": 3, "130": 3, "420": 3,
    "812": 3, "103": 2, "430": 2, "107": 1.2, "361": 1.2, "710": 1.2, "140": 1, "191": 1,
}

# (youngest, most common, oldest age in years, share of women) by specialty.
AGE_PROFILE: dict[str, tuple[float, float, float, float]] = {
    "100": (18, 52, 90, 0.5), "101": (25, 66, 92, 0.3), "103": (18, 48, 88, 0.95),
    "104": (20, 58, 92, 0.5), "107": (40, 70, 95, 0.42), "110": (18, 57, 92, 0.55),
    "120": (2, 45, 90, 0.5), "130": (5, 68, 95, 0.55), "140": (14, 40, 88, 0.5),
    "191": (25, 55, 90, 0.6), "301": (18, 50, 92, 0.55), "302": (18, 56, 90, 0.58),
    "303": (18, 66, 95, 0.5), "320": (30, 67, 95, 0.45), "330": (1, 50, 95, 0.58),
    "340": (18, 62, 92, 0.5), "361": (30, 72, 95, 0.5), "400": (16, 50, 90, 0.58),
    "410": (18, 58, 92, 0.65), "420": (0.1, 6, 17.5, 0.5), "430": (75.2, 84, 101, 0.6),
    "502": (16, 45, 88, 1.0), "710": (18, 38, 85, 0.55), "812": (18, 60, 92, 0.5),
}

FIRST_NAMES = (
    "Isabel", "Oliver", "Isla", "Harry", "Sophie", "Jack", "Grace", "Thomas", "Chloe", "James",
    "Emily", "William", "Hannah", "George", "Lucy", "Samuel", "Ruth", "Daniel", "Priya", "Arjun",
    "Aisha", "Omar", "Fiona", "Callum", "Eilidh", "Rhys", "Megan", "Patrick", "Niamh", "Adebayo",
    "Funmi", "Wei", "Mei", "Tomasz", "Katarzyna", "Helen", "Richard", "Catherine", "Andrew",
    "Joanne", "Stephen", "Rachel", "Martin", "Alison", "Imran",
)
SURNAMES = (
    "Hartley", "Ashworth", "Barrow", "Cartmel", "Dobson", "Entwistle", "Fell", "Garnett", "Hodgson",
    "Ingham", "Jackson", "Kirkby", "Lowther", "Metcalfe", "Nelson", "Ormerod", "Postlethwaite",
    "Quayle", "Robinson", "Satterthwaite", "Tyson", "Ulverston", "Varley", "Whiteside",
    "Armistead", "Birkett", "Cowperthwaite", "Dixon", "Fletcher", "Gaskell", "Holme", "Irving",
    "Kendall", "Lancaster", "Mason", "Noble", "Parkinson", "Rigg", "Shepherd", "Thwaites",
    "Walker", "Wilson", "Patel", "Khan", "Singh", "Chen", "Okafor", "Nowak", "Murphy", "Evans",
    "Campbell", "Hughes", "Ahmed", "Kaur", "Adeyemi", "Byrne", "Morris", "Greenwood", "Atkinson",
    "Sharples",
)

DURATIONS = (
    ("2 weeks", 14), ("3 weeks", 21), ("6 weeks", 42), ("2 months", 61), ("3 months", 91),
    ("4 months", 122), ("6 months", 183), ("9 months", 274), ("about a year", 365),
    ("over 2 years", 760),
)
BACKGROUND_ADULT = (
    "Otherwise fit and well.", "Background of hypertension and type 2 diabetes.",
    "Background of asthma and depression.", "Ex-smoker; no other significant history.",
    "Background of hypothyroidism, well controlled.", "Works full time; keen to avoid time off.",
    "Background of obesity (BMI 33) and osteoarthritis.", "No significant past history.",
)
BACKGROUND_ELDERLY = (
    "Lives alone with a daily carer.", "Background of AF, CKD 3a and hypertension.",
    "Lives with spouse; independent with walking stick.", "Background of COPD and heart failure.",
    "Mild frailty; family nearby.", "Background of type 2 diabetes and previous TIA.",
)
BACKGROUND_CHILD = (
    "Otherwise well; immunisations up to date.", "Background of mild eczema.",
    "Born at term; development normal.", "Background of asthma, well controlled.",
    "Parents understandably worried.",
)
EXAMINATIONS = (
    "No red flag features.", "Examination otherwise unremarkable.", "Obs normal today.",
    "Seen twice in surgery; no better with first-line management.",
    "Examination otherwise normal; no red flags on history.",
)
MEDICATION_ADULT = (
    "Nil regular.", "Amlodipine 5 mg OD, atorvastatin 20 mg ON.",
    "Metformin 1 g BD, ramipril 5 mg OD, atorvastatin 40 mg ON.",
    "Levothyroxine 100 micrograms OD.",
    "Sertraline 100 mg OD.", "Omeprazole 20 mg OD, co-codamol 30/500 PRN.",
    "Salbutamol PRN, Fostair 100/6 two puffs BD.", "Combined oral contraceptive pill.",
    "Bisoprolol 2.5 mg OD, apixaban 5 mg BD.",
)
MEDICATION_CHILD = ("Nil regular.", "Emollients.", "Salbutamol PRN.", "Movicol Paediatric.")
RESULTS = (
    "", "", "FBC, U&E, LFTs and TFTs normal last month.", "CRP 12, ESR 24; FBC normal.",
    "HbA1c 52 mmol/mol; eGFR 68.", "Bloods requested; will forward.", "Ferritin 18; Hb 121.",
    "Urine dip negative.",
)

QUESTIONS = (
    ("Thank you. Could you send recent bloods (FBC, U&E, LFTs, CRP) if done in the last 3 months?",
     "Bloods from last week: FBC and U&E normal, LFTs normal, CRP 8."),
    ("Could you attach a clear photograph, ideally with a ruler for scale?",
     "Photograph attached as requested."),
    ("What has already been tried, at what doses and for how long?",
     "Two first-line treatments, each at full dose for 8 weeks, without benefit."),
    ("Is there any relevant family history? It would change my advice.",
     "No relevant family history on checking with the patient."),
    ("Could you confirm the current weight and blood pressure?",
     "Weight 84 kg, BP 138/82 at the practice this week."),
    ("Has the patient had any imaging of this before, here or elsewhere?",
     "No previous imaging that I can find in the record."),
)
FOLLOW_UPS = (
    ("Thank you. If symptoms return after stopping treatment, is it reasonable to restart?",
     "Yes, restart at the same dose; let us know if it fails a second time."),
    ("Thanks. The patient asks how soon they should expect improvement.",
     "Usually within 6 to 8 weeks; please review then."),
    ("Thank you. Would you want repeat bloods before any referral?",
     "Yes, please repeat in 6 weeks and include the results in any referral."),
    ("Thanks. Is there anything that should prompt earlier review?",
     "Any new weight loss, bleeding or rapid worsening: please refer without waiting."),
)
CONVERSIONS = (
    "Thank you. This needs to be seen in clinic, so I have converted the request to a referral.",
    "Converted to a referral: the patient will be sent an appointment. No need to refer again.",
)
CANCEL_NOTES = (
    "Request withdrawn: the patient has since been admitted under the medical team.",
    "Withdrawn: sent in error for the wrong patient.",
    "Withdrawn: the patient has chosen to be seen privately.",
    "Withdrawn: symptoms have settled and the patient no longer wants advice sought.",
    "Withdrawn: the patient has moved away from the area.",
)
_MANAGED = ClosingOutcome.MANAGED_IN_PRIMARY_CARE.value
_TESTS = ClosingOutcome.AWAITING_TESTS.value
_REFERRED = ClosingOutcome.REFERRED.value
CLOSING_OUTCOMES: dict[str, str] = {"managed": _MANAGED, "tests": _TESTS, "referred": _REFERRED}
CLOSING_NOTES: dict[str, tuple[str, ...]] = {
    _MANAGED: (
        "Thank you for the advice; we will manage in primary care as suggested.",
        "Many thanks, very helpful. Plan discussed with the patient.",
    ),
    _TESTS: (
        "Thank you. Tests arranged; we will refer if the results suggest it.",
        "Thanks, investigations requested as advised.",
    ),
    _REFERRED: (
        "Thank you. Referral made as advised.",
        "Thanks, referred routinely quoting this conversation.",
    ),
}
_ONLY = Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED.value
_IF_NEEDED = Recommendation.ADVICE_FOLLOWED_BY_REFERRAL_IF_REQUIRED.value
_REFER = Recommendation.REFERRAL_RECOMMENDED.value
_OTHER = Recommendation.OTHER.value
# What the specialist recommends, by how the request ends (drawn uniformly from the tuple).
RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    "managed": (_ONLY,) * 7 + (_IF_NEEDED,) * 3,
    "tests": (_IF_NEEDED,) * 4 + (_OTHER,),
    "referred": (_REFER,) * 3 + (_IF_NEEDED,),
}
RECOMMENDATION_WORDS: dict[str, tuple[str, ...]] = {
    _ONLY: (
        "No referral is needed; do ask again if things change.",
        "I don't think the patient needs to be seen in clinic.",
    ),
    _IF_NEEDED: (
        "If there is no improvement in 3 months, please refer routinely, quoting this advice.",
        "Refer only if this fails; mention this conversation in the referral.",
    ),
    _REFER: (
        "I would like to see the patient in clinic: please refer routinely.",
        "This does need specialist assessment, so please refer.",
    ),
    _OTHER: (
        "Please send the results through on this conversation and I will advise further.",
        "Direct-access investigation first, please; I will review the result.",
    ),
}

TEXT_ANSWERS: dict[str, tuple[str, ...]] = {
    "treatments_tried": (
        "First-line treatment for 8 weeks with partial response.",
        "Two treatments tried for 6 weeks each; no improvement.",
        "Simple measures only so far.",
    ),
    "examination_findings": ("Breasts and axillae normal on examination.",
                             "Diffuse nodularity only; no discrete lump; axillae clear."),
    "ecg_findings": ("Sinus rhythm, normal axis, no ischaemic change.",
                     "Sinus rhythm with occasional ectopics; otherwise normal."),
    "rectal_examination": ("Normal; no mass felt.", "Small external skin tags; no mass."),
    "medication_trials": ("Sertraline 100 mg for 8 weeks; citalopram 20 mg for 6 months.",
                          "Fluoxetine 20 mg for 12 weeks, partial response."),
    "function_and_support": ("Independent at home with a stick; daughter visits daily.",
                             "Needs help with washing; carers twice daily."),
    "symptoms": ("Tiredness and weight gain over 6 months.", "Thirst and nocturia."),
    "pelvic_examination": ("Normal speculum and bimanual examination.",
                           "Bulky uterus, non-tender; cervix normal."),
    "count_trend": ("Three results over 6 months, stable.", "Gradual change over a year."),
    "description": ("Episodes described in detail in the summary.",),
    "examination": ("Cranial nerves and limbs normal; no focal deficit.",
                    "Normal neurological examination apart from the above."),
    "visual_acuity_right": ("6/6", "6/9", "6/12"),
    "visual_acuity_left": ("6/6", "6/9", "6/12"),
    "growth_centiles": ("Weight 25th, height 50th centile.", "Weight 9th, height 25th centile."),
    "analgesic_trials": ("Paracetamol, NSAIDs, amitriptyline 25 mg and gabapentin 900 mg/day.",
                         "Co-codamol, naproxen and duloxetine 60 mg."),
    "psychological_impact": ("Low mood; off work for 3 months.", "Sleep poor; stopped hobbies."),
    "egfr_trend": ("52, 47 and 41 over 18 months.", "Stable at 38 to 42 for 2 years."),
    "urine_results": ("Dipstick negative; MSU no growth.", "Dipstick blood 1+; MSU no growth."),
    "pain_and_function": ("Pain at night; walking limited to 400 metres.",
                          "Struggling at work; pain 7/10 most days."),
    "conservative_treatment": ("Six weeks of physiotherapy, analgesia and weight advice.",
                               "Physiotherapy programme completed; NSAIDs help a little."),
    "body_region": ("Lumbar spine", "Abdomen", "Right knee"),
    "imaging_question": ("Is there a structural cause that would change management?",),
    "stool_pattern": ("Bristol type 6, three times a day.", "Bristol type 5 to 6, daily."),
    "otoscopy": ("Normal tympanic membranes.", "Wax in the left ear only."),
    "spirometry": ("FEV1/FVC 0.64, FEV1 68% predicted.", "Normal, no reversibility."),
    "haematinics": ("Ferritin, B12 and folate normal.",),
    "lipids_hba1c": ("Total cholesterol 5.8, HbA1c 41.",),
    "substance_use": ("Alcohol 10 units a week; no drugs.",),
    "onset": ("Gradual, no injury.", "Twisting injury playing football."),
    "cognition": ("6CIT 10/28.",),
    "lying_standing_bp": ("148/82 lying, 122/70 standing.",),
    "family_history": ("Mother, breast cancer at 48.",),
    "abpi": ("Right 0.72, left 0.95.",),
    "foot_pulses": ("Reduced on the right; normal on the left.",),
}
NUMBER_RANGES: dict[str, tuple[float, float, int]] = {
    "systolic_bp": (110, 172, 0), "diastolic_bp": (64, 98, 0), "heart_rate": (56, 104, 0),
    "clinical_frailty_scale": (3, 7, 0), "opioid_dose_ome": (0, 120, 0), "urine_acr": (3, 120, 1),
    "morning_stiffness": (0, 90, 0), "pain_duration": (4, 120, 0), "fit_result": (0, 9, 0),
    "haemoglobin": (100, 150, 0), "hba1c": (45, 95, 0), "bmi": (21, 38, 1),
    "faecal_calprotectin": (20, 400, 0), "alcohol_units": (0, 28, 0), "egfr": (28, 90, 0),
    "phq9": (6, 24, 0), "falls_last_year": (0, 6, 0), "ipss_score": (6, 26, 0),
    "pack_years": (0, 45, 0), "oxygen_saturation": (93, 99, 0), "exacerbations": (0, 5, 0),
    "crp": (1, 60, 0), "esr": (4, 70, 0), "walking_distance": (50, 400, 0),
    "aortic_diameter": (3.0, 5.0, 1), "ca125": (5, 34, 0), "gestation_weeks": (34, 41, 0),
}

_S = Scenario
_NONE = ["None"]
SCENARIOS: dict[str, tuple[Scenario, ...]] = {
    "330": (
        _S("a pigmented lesion on the back that a relative thinks has darkened",
           "7-point checklist score 1; dermoscopy images attached. Monitor here, or would you "
           "like to see?",
           "Dermoscopy shows a regular reticular pattern in keeping with a benign naevus. "
           "Re-photograph in 3 months and compare.",
           {"lesion_site": "Upper back", "problem_type": "Single lesion",
            "changes": ["Change in colour"], "photo_attached": "Dermoscopic and clinical"}),
        _S("an itchy rash on the trunk and limbs despite emollients and moderate steroid",
           "Eczema or psoriasis? What would you suggest next?",
           "The images look like discoid eczema. Potent topical steroid to active plaques for "
           "4 weeks with plenty of emollient, then weekends only.",
           {"lesion_site": "Trunk and limbs", "problem_type": "Rash", "changes": _NONE,
            "photo_attached": "Clinical only"}),
        _S("persistent acne with early scarring after two courses of oral antibiotics",
           "Would you consider isotretinoin?",
           "With scarring after two antibiotic courses, isotretinoin is appropriate; it must be "
           "started by a specialist.",
           {"lesion_site": "Face and upper back", "problem_type": "Several lesions",
            "changes": _NONE, "photo_attached": "Clinical only"}, ages=(13, 35)),
        _S("patchy hair loss on the scalp",
           "Looks like alopecia areata. Anything to offer beyond topical steroid?",
           "Agree, alopecia areata. Check TFTs and ferritin; potent topical steroid for "
           "3 months. Most regrow within a year.",
           {"lesion_site": "Scalp", "problem_type": "Hair or scalp", "changes": _NONE,
            "photo_attached": "Clinical only"}),
    ),
    "410": (
        _S("pain and swelling of the small joints of both hands with morning stiffness",
           "CRP raised, anti-CCP pending. How urgently should this be seen, and should I start "
           "anything meanwhile?",
           "This sounds like early inflammatory arthritis. Bloods first; a short course of "
           "prednisolone is reasonable if severe.",
           {"joints_involved": ["Hands (small joints)", "Wrists"],
            "pattern": "Symmetrical polyarthritis", "synovitis": "yes", "morning_stiffness": 90}),
        _S("widespread aches with fatigue and poor sleep; inflammatory markers normal",
           "Anything to suggest an inflammatory cause, or is this fibromyalgia to manage here?",
           "The picture fits fibromyalgia: graded exercise, sleep hygiene and low-dose "
           "amitriptyline.",
           {"joints_involved": ["Hips", "Knees", "Shoulders"],
            "pattern": "Widespread pain without swelling", "synovitis": "no",
            "morning_stiffness": 15}),
        _S("recurrent gout flares in the first MTP joint despite allopurinol 200 mg",
           "How far should I titrate allopurinol, and when would you switch to febuxostat?",
           "Titrate by 100 mg every 4 weeks to a urate under 300 umol/L, with colchicine cover "
           "for 6 months.",
           {"joints_involved": ["Feet (small joints)"], "pattern": "Monoarthritis",
            "synovitis": "yes", "morning_stiffness": 0}, ages=(30, 90)),
        _S("inflammatory-sounding low back pain, better with exercise",
           "HLA-B27 positive. Could this be axial spondyloarthritis? How should it be "
           "investigated?",
           "Possible axial SpA: MRI of the sacroiliac joints (STIR sequences) and a trial of "
           "full-dose NSAID.",
           {"joints_involved": ["Spine or sacroiliac"], "pattern": "Back or axial",
            "synovitis": "no", "morning_stiffness": 60}, ages=(18, 45)),
    ),
    "301": (
        _S("dyspepsia despite 8 weeks of full-dose PPI; H. pylori stool antigen negative",
           "Does this need an OGD, or is there more to try first?",
           "Without alarm features, switch PPI and add an H2 blocker at night for 8 weeks.",
           {"main_problem": "Dyspepsia or reflux", "alarm_features": _NONE}),
        _S("ALT around 80 on two occasions, BMI over 30 and modest alcohol intake",
           "Liver screen negative. Likely fatty liver: does it need a FibroScan?",
           "Likely metabolic fatty liver. Calculate FIB-4: under 1.3, weight loss and repeat in "
           "3 years; higher, request an ELF test.",
           {"main_problem": "Abnormal liver tests", "alarm_features": _NONE}),
        _S("loose stools and bloating; faecal calprotectin 110",
           "Repeat the calprotectin, or refer for colonoscopy?",
           "Repeat the calprotectin in 4 to 6 weeks off NSAIDs; if under 100, manage as IBS.",
           {"main_problem": "Altered bowel habit", "alarm_features": _NONE,
            "faecal_calprotectin": 110}),
        _S("coeliac disease on a gluten-free diet with persistently positive tTG",
           "Is repeat endoscopy needed, or dietitian review first?",
           "A persistently positive tTG usually means ongoing gluten: dietitian review and "
           "repeat tTG in 6 months.",
           {"main_problem": "Coeliac disease", "alarm_features": _NONE,
            "coeliac_serology": "Positive"}),
    ),
    "320": (
        _S("intermittent palpitations; Holter shows ventricular ectopics, about 4% burden",
           "Echo normal. Is any treatment needed?",
           "With a normal echo and a burden under 10%, these ectopics are benign: reassure, "
           "cut caffeine, low-dose beta-blocker if troublesome.",
           {"symptoms": ["Palpitations"], "chest_pain_character": "No chest pain",
            "ecg_findings": "Sinus rhythm with occasional unifocal ventricular ectopics."}),
        _S("an ejection systolic murmur found at a routine review; no symptoms",
           "Echo first, or refer?",
           "Please request a direct-access echo; significant valve disease would need clinic.",
           {"symptoms": ["Murmur found"], "chest_pain_character": "No chest pain"}),
        _S("exertional chest tightness with some atypical features",
           "Would you suggest CT coronary angiography rather than the chest pain clinic?",
           "Stable symptoms: request a CT coronary angiogram; start aspirin and a statin, GTN "
           "as needed.",
           {"symptoms": ["Chest pain"], "chest_pain_character": "Atypical angina",
            "exertional": "yes"}, ages=(35, 85)),
        _S("new atrial fibrillation, rate controlled on bisoprolol and on apixaban",
           "CHA2DS2-VASc 3. Does this need cardiology review?",
           "Rate-controlled AF on anticoagulation can stay in primary care; request an echo.",
           {"symptoms": ["Palpitations"], "chest_pain_character": "No chest pain",
            "ecg_findings": "AF, ventricular rate about 80."}, ages=(50, 92)),
    ),
    "101": (
        _S("a PSA of 3.4, just above the age-specific range; DRE smooth and benign",
           "Repeat, or refer?",
           "Repeat the PSA in 6 to 8 weeks, avoiding ejaculation and vigorous exercise for "
           "48 hours before.",
           {"main_problem": "Raised PSA", "haematuria": "None"}, sex="male", ages=(50, 80)),
        _S("four lower urinary tract infections in the last year",
           "Renal tract ultrasound normal. Would you suggest prophylaxis?",
           "Self-care measures, then consider 6 months of low-dose nightly or post-coital "
           "prophylaxis.",
           {"main_problem": "Recurrent UTI", "haematuria": "None"}, sex="female"),
        _S("nocturia and poor stream on tamsulosin",
           "IPSS 18. Would you add finasteride?",
           "With an enlarged prostate, add finasteride 5 mg and review in 6 months (PSA will "
           "halve).",
           {"main_problem": "Lower urinary tract symptoms", "haematuria": "None",
            "ipss_score": 18}, sex="male", ages=(55, 90)),
        _S("an asymptomatic 6 mm lower-pole renal stone on CT",
           "Does this need urology?",
           "An asymptomatic 6 mm stone can be watched: repeat imaging in 12 months, more fluids.",
           {"main_problem": "Kidney or ureteric stone", "haematuria": "None"}),
    ),
    "120": (
        _S("five episodes of tonsillitis in the last year",
           "Does this meet the criteria for tonsillectomy?",
           "Below the threshold of seven episodes in a year; keep a symptom diary.",
           {"main_symptom": "Recurrent sore throat", "side": "Not applicable",
            "red_flags": _NONE}, ages=(4, 40)),
        _S("left-sided tinnitus with a normal hearing test",
           "Does this need an MRI of the internal auditory meatus?",
           "Unilateral tinnitus with symmetrical hearing does not need MRI; audiology for "
           "tinnitus therapy.",
           {"main_symptom": "Tinnitus", "side": "Left", "hearing": "Normal",
            "red_flags": _NONE}, ages=(18, 90)),
        _S("nasal obstruction with a deviated septum",
           "Three months of steroid spray. Refer for septoplasty?",
           "Check spray technique, add saline douching and continue for 3 months.",
           {"main_symptom": "Nasal obstruction", "side": "Both", "red_flags": _NONE},
           ages=(16, 80)),
        _S("recurrent positional vertigo; Dix-Hallpike positive on the right",
           "Epley done with partial benefit. Further management?",
           "Repeat the Epley manoeuvre and teach Brandt-Daroff exercises; vestibular "
           "physiotherapy if not settled.",
           {"main_symptom": "Vertigo", "side": "Right", "red_flags": _NONE}, ages=(30, 90)),
    ),
    "502": (
        _S("heavy menstrual bleeding, Hb 112",
           "Ultrasound normal. Would you suggest a hormonal IUS before referral?",
           "An LNG-IUS is first line with a normal scan; add oral iron.",
           {"main_problem": "Heavy menstrual bleeding", "pelvic_examination": "Normal."},
           sex="female", ages=(18, 50)),
        _S("menopausal symptoms not controlled on HRT",
           "On oestrogen gel 2 pumps and micronised progesterone. Can the dose go up?",
           "Increase to 3 to 4 pumps and review in 3 months; check adherence.",
           {"main_problem": "Menopause symptoms"}, sex="female", ages=(45, 62)),
        _S("a 4 cm simple ovarian cyst on ultrasound",
           "CA-125 normal. Rescan, or refer?",
           "A simple cyst under 5 cm before the menopause needs no follow-up unless symptomatic.",
           {"main_problem": "Ovarian cyst"}, sex="female", ages=(18, 45)),
        _S("symptoms of vaginal prolapse; grade 2 anterior wall",
           "Trial of a pessary in the practice first?",
           "Pelvic floor physiotherapy and a ring pessary fitted in primary care.",
           {"main_problem": "Prolapse"}, sex="female", ages=(45, 88)),
    ),
    "110": (
        _S("knee pain with osteoarthritis on X-ray despite physiotherapy and analgesia",
           "Would you see for consideration of knee replacement?",
           "Optimise weight and complete a physiotherapy programme.",
           {"joint_or_region": "Knee"}, ages=(50, 90)),
        _S("shoulder pain on abduction, consistent with subacromial pain",
           "One steroid injection gave 6 weeks' benefit. Repeat, or refer?",
           "A second injection with physiotherapy is reasonable.",
           {"joint_or_region": "Shoulder"}),
        _S("a trigger finger that recurred after one injection",
           "Refer for release?",
           "A second injection still has a good chance of cure.",
           {"joint_or_region": "Wrist or hand"}),
        _S("plantar heel pain despite stretches and insoles",
           "Any role for shockwave therapy or injection?",
           "Keep stretching; podiatry can offer shockwave therapy. Steroid injection is not "
           "advised (fat pad atrophy).",
           {"joint_or_region": "Ankle or foot"}),
    ),
    "302": (
        _S("type 2 diabetes, HbA1c 78 on metformin and gliclazide",
           "Which next: an SGLT2 inhibitor or a GLP-1 agonist?",
           "Add an SGLT2 inhibitor for its cardiorenal benefit; a GLP-1 agonist if BMI is over "
           "35.",
           {"endocrine_problem": "Type 2 diabetes", "hba1c": 78}, ages=(35, 88)),
        _S("subclinical hypothyroidism: TSH 7.8 with normal free T4",
           "Treat, or monitor?",
           "Repeat in 3 months; treat if TSH is over 10 twice, or trial levothyroxine if "
           "symptomatic with positive antibodies.",
           {"endocrine_problem": "Thyroid function",
            "thyroid_results": "TSH 7.8 mU/L, FT4 13 pmol/L, TPO antibodies positive."}),
        _S("an adjusted calcium of 2.72 with a PTH of 7.1",
           "Probable primary hyperparathyroidism: refer, or surveillance?",
           "Likely primary hyperparathyroidism: check 24-hour urine calcium, DEXA and renal "
           "ultrasound.",
           {"endocrine_problem": "Calcium or parathyroid"}, ages=(40, 88)),
    ),
    "303": (
        _S("a mild neutropenia (1.3) on repeated counts",
           "Patient well. Does this need further investigation?",
           "Isolated mild neutropenia in a well patient is often benign: repeat in 3 months "
           "with a film.",
           {"abnormality": "Low white cells", "b_symptoms": _NONE,
            "count_trend": "1.4, 1.3 and 1.3 over 6 months."}),
        _S("a raised haemoglobin of 182 with haematocrit 0.54",
           "Non-smoker. Should we test for JAK2?",
           "Please send JAK2 V617F and ferritin; consider secondary causes.",
           {"abnormality": "Raised haemoglobin", "b_symptoms": _NONE,
            "count_trend": "Hb 176, then 182 a month later."}),
        _S("an incidental IgG paraprotein of 4 g/L",
           "Calcium, renal function and FBC normal. Monitor in primary care?",
           "Low-risk MGUS: FBC, calcium, creatinine and paraprotein every 6 months for a year, "
           "then yearly.",
           {"abnormality": "Paraprotein", "b_symptoms": _NONE,
            "count_trend": "Single result so far."}, ages=(45, 95)),
        _S("a persistent lymphocytosis of 6.2 without lymphadenopathy",
           "Film shows smear cells. Is flow cytometry needed?",
           "Send blood for immunophenotyping; early-stage CLL can be monitored in primary care.",
           {"abnormality": "Raised white cells or lymphocytes", "b_symptoms": _NONE,
            "count_trend": "5.4, 5.9 and 6.2 over 9 months."}, ages=(50, 95)),
    ),
    "340": (
        _S("a chronic cough with a normal chest X-ray",
           "PPI and nasal steroid tried. What next?",
           "Check FeNO and spirometry with reversibility; trial inhaled steroid if FeNO raised.",
           {"main_problem": "Chronic cough", "smoking_status": "Never smoked"}),
        _S("COPD with three exacerbations this year on triple therapy",
           "Is azithromycin prophylaxis appropriate?",
           "Yes if the ECG QTc and LFTs are normal: azithromycin 250 mg three times a week, "
           "after sputum for mycobacteria.",
           {"main_problem": "COPD", "smoking_status": "Ex-smoker"}, ages=(45, 90)),
        _S("snoring, witnessed apnoeas and daytime sleepiness (Epworth 14)",
           "Refer for a sleep study?",
           "A sleep study is appropriate; advise about driving while waiting.",
           {"main_problem": "Possible sleep apnoea"}),
    ),
    "400": (
        _S("frequent headaches, using co-codamol most days",
           "Likely medication overuse. Management advice?",
           "Medication overuse headache: stop the co-codamol, start amitriptyline or "
           "propranolol as prevention, review in 8 weeks.",
           {"main_symptom": "Headache", "time_course": "Stable",
            "description": "Daily dull bilateral headache, worse in the morning."}),
        _S("a fine bilateral action tremor of the hands",
           "Likely essential tremor. Is propranolol reasonable?",
           "Yes: propranolol 40 mg twice daily, titrating; primidone if not tolerated.",
           {"main_symptom": "Tremor or movement problem", "time_course": "Worsening over months",
            "description": "Tremor when holding a cup or writing; none at rest."}, ages=(35, 90)),
        _S("intermittent tingling in both feet",
           "B12 and glucose normal. Are nerve conduction studies needed?",
           "Check TFTs, a myeloma screen and alcohol intake; nerve conduction only if "
           "progressive or asymmetric.",
           {"main_symptom": "Numbness or tingling", "time_course": "Episodic",
            "description": "Symmetrical tingling of the soles, worse at night."}),
    ),
    "100": (
        _S("a reducible, mildly symptomatic inguinal hernia",
           "Repair, or watchful waiting given the minimal symptoms?",
           "Watchful waiting is safe for a minimally symptomatic inguinal hernia.",
           {"presenting_problem": "Hernia", "site": "Right groin",
            "complication_features": _NONE}),
        _S("right upper quadrant pain after fatty meals; gallstones on ultrasound",
           "LFTs normal. Refer for cholecystectomy?",
           "Symptomatic gallstones merit cholecystectomy; low-fat diet meanwhile.",
           {"presenting_problem": "Gallstones or biliary symptoms",
            "site": "Right upper quadrant", "complication_features": _NONE}),
        _S("a soft 3 cm lump on the back, slowly enlarging",
           "Likely lipoma. Ultrasound before referral?",
           "Request an ultrasound; reassure if under 5 cm and superficial.",
           {"presenting_problem": "Skin or subcutaneous lump", "site": "Back",
            "complication_features": _NONE}),
    ),
    "104": (
        _S("perianal pain and bleeding on defecation, in keeping with an anal fissure",
           "Eight weeks of GTN ointment without healing. Next step?",
           "Switch to diltiazem 2% ointment for 8 weeks.",
           {"bowel_symptoms": ["Perianal pain", "Rectal bleeding"], "weight_loss": "no",
            "rectal_examination": "Not done: too painful; posterior fissure seen."}),
        _S("prolapsing haemorrhoids with bright red bleeding",
           "FIT negative. Refer for banding?",
           "With FIT under 10 and no other concerns, banding is reasonable if conservative "
           "measures fail.",
           {"bowel_symptoms": ["Perianal lump", "Rectal bleeding"], "weight_loss": "no",
            "fit_result": 4}),
        _S("chronic constipation despite macrogol, senna and prucalopride",
           "Any further options?",
           "Consider linaclotide if IBS with constipation; otherwise anorectal physiology.",
           {"bowel_symptoms": ["Constipation"], "weight_loss": "no"}),
    ),
    "130": (
        _S("gradual blurring of vision; the optometrist reports early cataract",
           "Vision 6/12 in both eyes. Refer now?",
           "Surgery is offered when cataract affects daily life, such as driving.",
           {"affected_eye": "Both", "onset": "Gradual (weeks or more)",
            "visual_acuity_right": "6/12", "visual_acuity_left": "6/12"}, ages=(55, 95)),
        _S("dry, gritty eyes despite lubricants and lid hygiene",
           "Next step?",
           "Add a preservative-free gel at night and warm compresses; doxycycline 50 mg for "
           "3 months for blepharitis.",
           {"affected_eye": "Both", "onset": "Gradual (weeks or more)"}, ages=(18, 95)),
        _S("a chalazion on the upper lid for 4 months",
           "Would you incise and drain?",
           "Most resolve within 6 months with hot compresses.",
           {"affected_eye": "Right", "onset": "Over days"}),
    ),
    "420": (
        _S("constipation with soiling despite Movicol Paediatric",
           "On three sachets a day. Disimpaction regimen?",
           "Escalate to a full disimpaction regimen, then maintenance for several months after "
           "a regular habit is established.",
           {}, ages=(1, 12)),
        _S("weight dropping across two centiles",
           "Feeding diary unremarkable. Coeliac serology before referral?",
           "Yes: coeliac serology, FBC, ferritin, TFTs and U&E; monthly weights with the health "
           "visitor.",
           {}, ages=(0.3, 5)),
        _S("recurrent abdominal pain with normal growth",
           "Likely functional. Anything to check?",
           "Functional abdominal pain is likely with normal growth; coeliac serology and a "
           "urine dip, then reassure.",
           {}, ages=(5, 16)),
        _S("nocturnal enuresis despite an alarm",
           "Is desmopressin reasonable?",
           "Yes: desmopressin melt at bedtime for 3 months, with no fluids after taking it.",
           {}, ages=(5, 12)),
    ),
    "812": (
        _S("chronic knee pain; osteoarthritis on X-ray",
           "Patient asking for an MRI. Is it indicated?",
           "MRI is not indicated for knee osteoarthritis over 50; the X-ray is enough. MSK "
           "physiotherapy.",
           {"imaging_considered": "MRI", "body_region": "Right knee",
            "imaging_question": "Meniscal tear?", "implanted_device": "None"}, ages=(50, 90)),
        _S("intermittent right upper quadrant pain",
           "Ultrasound first, or CT?",
           "Ultrasound of the abdomen first; request it directly.",
           {"imaging_considered": "Ultrasound", "body_region": "Abdomen",
            "imaging_question": "Gallstones?", "implanted_device": "None"}),
        _S("low back pain without red flags",
           "Patient requesting a scan. Does this need imaging?",
           "No imaging for non-specific low back pain without red flags; physiotherapy.",
           {"imaging_considered": "Not sure, please advise", "body_region": "Lumbar spine",
            "imaging_question": "Structural cause?", "implanted_device": "None"}),
    ),
    "103": (
        _S("cyclical breast pain with normal examination",
           "Any need for imaging?",
           "Breast pain alone with a normal examination does not need imaging: a well-fitting "
           "bra and topical NSAID.",
           {"breast_problem": "Breast pain", "side": "Both"}, sex="female", ages=(18, 50)),
        _S("a family history: mother diagnosed with breast cancer at 48",
           "Does she meet the criteria for family history screening?",
           "One first-degree relative under 50 is moderate risk: yearly mammography from 40 "
           "via the family history clinic.",
           {"breast_problem": "Family history of breast cancer", "side": "Not applicable"},
           sex="female", ages=(25, 45)),
        _S("tender bilateral gynaecomastia, on no relevant drugs",
           "Which bloods?",
           "Check LFTs, U&E, TFTs, testosterone, LH, FSH, oestradiol, prolactin, hCG and AFP.",
           {"breast_problem": "Gynaecomastia", "side": "Both"}, sex="male", ages=(16, 80),
           weight=0.3),
        _S("clear discharge from a single duct of one nipple; examination otherwise normal",
           "Not bloody. Does this need imaging?",
           "Clear single-duct discharge without a lump is usually benign duct ectasia; "
           "imaging if it becomes bloody or persistent.",
           {"breast_problem": "Nipple discharge", "side": "Left"}, sex="female", ages=(30, 70)),
        _S("a known fibroadenoma that she feels is slightly larger",
           "Diagnosed on triple assessment 2 years ago. Re-image, or reassure?",
           "A small change in a known fibroadenoma under 3 cm warrants a repeat ultrasound.",
           {"breast_problem": "Known benign lump", "side": "Right"}, sex="female",
           ages=(18, 45)),
    ),
    "430": (
        _S("recurrent falls with a postural drop of 25 mmHg on amlodipine and doxazosin",
           "Medication changes first?",
           "Stop the doxazosin and reduce the amlodipine; falls service and consider DEXA.",
           {"main_concern": "Falls"}),
        _S("gradual memory decline over a year; 6CIT 14, bloods normal",
           "Memory clinic, or manage here?",
           "This warrants memory assessment; bloods are complete.",
           {"main_concern": "Cognitive decline"}),
        _S("frailty with 14 regular medicines",
           "Which could safely be stopped?",
           "Stop the statin and aspirin (primary prevention), reduce the PPI and review "
           "anticholinergic burden.",
           {"main_concern": "Medication review"}),
    ),
    "107": (
        _S("symptomatic varicose veins with aching and night cramps",
           "Do these meet the criteria for intervention?",
           "Symptomatic veins qualify for venous duplex assessment; compression meanwhile.",
           {"vascular_problem": "Varicose veins", "side": "Left"}),
        _S("calf pain after walking 200 metres, ABPI 0.7",
           "Best medical therapy started. Does this need vascular review?",
           "Continue statin and antiplatelet, stop smoking and supervised exercise for "
           "3 months.",
           {"vascular_problem": "Intermittent claudication", "side": "Right",
            "walking_distance": 200}, ages=(45, 90)),
        _S("a 4.2 cm abdominal aortic aneurysm on ultrasound",
           "Surveillance in primary care, or vascular follow-up?",
           "Enrol in AAA surveillance (yearly scans at 4.0 to 4.4 cm); optimise BP and statin.",
           {"vascular_problem": "Abdominal aortic aneurysm", "side": "Not applicable",
            "aortic_diameter": 4.2}, sex="male", ages=(65, 90)),
    ),
    "361": (
        _S("an eGFR falling from 52 to 41 over 18 months",
           "On ramipril and metformin. Should I refer?",
           "Check ACR, stop NSAIDs, optimise BP and consider an SGLT2 inhibitor.",
           {"main_problem": "Falling eGFR or CKD"}, ages=(40, 95)),
        _S("albuminuria (ACR 48) with type 2 diabetes",
           "On maximum ACE inhibitor. Add an SGLT2 inhibitor?",
           "Yes: dapagliflozin 10 mg, U&E in 2 weeks.",
           {"main_problem": "Albuminuria", "urine_acr": 48}),
        _S("potassium of 5.9 on ramipril and spironolactone",
           "Stop the spironolactone?",
           "Stop spironolactone, low-potassium diet advice and recheck in a week.",
           {"main_problem": "Hyperkalaemia"}),
    ),
    "710": (
        _S("depression not responding to two SSRIs",
           "Sertraline 200 mg and citalopram tried. Mirtazapine or venlafaxine?",
           "Either is reasonable: venlafaxine titrated to 150 mg with BP checks.",
           {"presenting_problem": "Depression", "risk_to_self": "No current risk identified",
            "risk_to_others": "No current risk identified"}),
        _S("generalised anxiety with poor sleep; sertraline not tolerated",
           "Is pregabalin appropriate?",
           "Try escitalopram first; pregabalin carries a dependence risk. Talking therapies.",
           {"presenting_problem": "Anxiety", "risk_to_self": "No current risk identified",
            "risk_to_others": "No current risk identified"}),
        _S("a request for adult ADHD assessment",
           "Which pathway?",
           "Complete the ASRS screening questionnaire; use the adult ADHD pathway.",
           {"presenting_problem": "Neurodevelopmental query",
            "risk_to_self": "No current risk identified",
            "risk_to_others": "No current risk identified"}, ages=(18, 45)),
    ),
    "140": (
        _S("recurrent pericoronitis of a partially erupted lower wisdom tooth",
           "Two episodes in 6 months. Is referral appropriate?",
           "Two or more episodes meet the criteria; the dentist can refer directly.",
           {"oral_problem": "Impacted or wisdom tooth", "site": "Lower right third molar",
            "dentist_seen": "Yes", "antiresorptive_treatment": "no"}, ages=(17, 40)),
        _S("a clicking jaw with pain on chewing",
           "Soft diet and NSAIDs not helping. Refer?",
           "Likely TMJ dysfunction: jaw exercises and a bite splint via the dentist.",
           {"oral_problem": "Jaw or TMJ pain", "site": "Left TMJ", "dentist_seen": "Yes",
            "antiresorptive_treatment": "no"}),
        _S("recurrent mouth ulcers with normal bloods",
           "Treatment options?",
           "Recurrent aphthae: chlorhexidine mouthwash and a topical steroid spray; check "
           "coeliac serology.",
           {"oral_problem": "Oral mucosal lesion", "site": "Buccal mucosa",
            "dentist_seen": "Yes", "lesion_features": ["Ulcer"],
            "antiresorptive_treatment": "no"}),
    ),
    "191": (
        _S("chronic low back pain on escalating opioids (90 mg morphine equivalent a day)",
           "Would you support a taper plan?",
           "Reduce by 10% every 2 to 4 weeks; over 90 mg a day the harms outweigh the "
           "benefit.",
           {"pain_site": "Lower back", "opioid_dose_ome": 90}),
        _S("post-herpetic neuralgia after shingles",
           "Amitriptyline and gabapentin tried. What next?",
           "Try pregabalin up to 300 mg a day, or lidocaine 5% plasters.",
           {"pain_site": "Left T6 dermatome", "opioid_dose_ome": 0, "pain_type": "Neuropathic"},
           ages=(50, 95)),
        _S("widespread chronic pain affecting work",
           "Suitable for the pain management programme?",
           "Avoid opioids; consider duloxetine and the pain management programme.",
           {"pain_site": "Widespread", "opioid_dose_ome": 0, "pain_type": "Widespread"}),
    ),
}
# fmt: on

_SCENARIO_CUM_WEIGHTS = {
    code: tuple(accumulate(scenario.weight for scenario in scenarios))
    for code, scenarios in SCENARIOS.items()
}
_DURATION_TEXTS = tuple(text for text, _ in DURATIONS)
_DURATION_DAYS = tuple(days for _, days in DURATIONS)  # shortest first
