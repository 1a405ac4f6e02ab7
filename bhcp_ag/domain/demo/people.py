"""The people of a demo year: the staff who write and answer requests, and the patients.

Staff: each practice gets three to six GPs by list size, each specialty two to four
consultants and nurse specialists, all with invented names (``resources/demo/people.json``)
that never repeat, so usernames never collide. The demo GP joins the first practice and
asks the most; the demo specialist answers for dermatology and rheumatology.

A user's id is :func:`user_id` of their username: a UUID 5 in :data:`USER_NAMESPACE`, the
same at the hub and in every desktop store (:mod:`bhcp_ag.domain.demo.accounts`).

Patients are synthetic: NHS numbers in the 999 test range, with an age and sex that fit
the specialty and the scenario, and a name drawn from the NHS number (not from the
year's random stream, so adding names moved none of the year's figures).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from itertools import accumulate
from typing import NamedTuple

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.demo.accounts import (
    DEMO_GP,
    DEMO_SPECIALIST,
    DEMO_SPECIALIST_CODES,
    user_id,
)
from bhcp_ag.domain.demo.wording import DemoWording, Scenario
from bhcp_ag.domain.organisation import Practice
from bhcp_ag.domain.organisation import User as Person

Pool = tuple[list[str], list[float]]  # user ids and their cumulative weights


class Patient(NamedTuple):
    nhs_number: str
    birth_date: date
    sex: str
    age_days: int
    family_name: str
    given_name: str


def patient_name(wording: DemoWording, nhs_number: str, sex: str) -> tuple[str, str]:
    """The (family, given) name of the synthetic patient with this NHS number: the same
    number always has the same name, wherever it is drawn."""
    number = int(nhs_number)
    family = wording.patient_family_names[number % len(wording.patient_family_names)]
    givens = wording.patient_given_names.get(sex) or wording.patient_given_names["female"]
    return family, givens[(number // 97) % len(givens)]


# --- staff -----------------------------------------------------------------------------------


def names(rng: random.Random, wording: DemoWording, count: int) -> list[tuple[str, str]]:
    """``count`` distinct (first name, surname) pairs, so usernames never collide."""
    pairs = [(first, last) for first in wording.first_names for last in wording.surnames]
    return rng.sample(pairs, count)


def practice_gps(
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


def specialists(
    rng: random.Random,
    codes: Sequence[str],
    counts: Sequence[int],
    names: Iterator[tuple[str, str]],
    leads: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[dict[str, Pool], list[Person]]:
    """Each specialty's consultants and nurse specialists, with the demo specialist. The
    first of each is the specialty's lead from the reference data (``leads``: username and
    name by code), unless the lead is the demo specialist (who answers theirs already)."""
    pools: dict[str, Pool] = {}
    people: list[Person] = []
    taken = {DEMO_SPECIALIST}
    for code, count in zip(codes, counts, strict=True):
        ids: list[str] = []
        for index, (first, last) in enumerate(next(names) for _ in range(count)):
            nurse = rng.random() < 0.25  # drawn for every one, so the year stays the same
            display = (
                f"{first} {last}, Clinical Nurse Specialist" if nurse else f"Dr {first} {last}"
            )
            username = f"{first}.{last}".lower()
            lead = (leads or {}).get(code)
            if index == 0 and lead is not None and lead[0] not in taken:
                username, display = lead
            taken.add(username)
            people.append(Person(username, display, Role.SPECIALIST, specialty_codes=(code,)))
            ids.append(user_id(username))
        weights = [1.0] * len(ids)
        if code in DEMO_SPECIALIST_CODES:
            ids.append(user_id(DEMO_SPECIALIST))
            weights.append(2.0)
        pools[code] = (ids, list(accumulate(weights)))
    return pools, people


# --- patients --------------------------------------------------------------------------------


def nhs_numbers(rng: random.Random, count: int) -> list[str]:
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


def draw_patient(
    rng: random.Random,
    wording: DemoWording,
    code: str,
    scenario: Scenario,
    day: date,
    nhs_number: str,
) -> Patient:
    """A patient of an age and sex that fit the specialty and the scenario."""
    low, mode, high, female_share = wording.age_profile_of(code)
    if scenario.ages is not None:
        low, high = max(low, scenario.ages[0]), min(high, scenario.ages[1])
        low, high = (low, high) if low < high else scenario.ages
        mode = min(max(mode, low), high)
    age_days = int(rng.triangular(low, high, mode) * 365.25)
    sex = scenario.sex or ("female" if rng.random() < female_share else "male")
    family, given = patient_name(wording, nhs_number, sex)
    return Patient(nhs_number, day - timedelta(days=age_days), sex, age_days, family, given)
