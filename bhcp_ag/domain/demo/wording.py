"""The demo year's data: names, volumes, patients' ages and the invented clinical wording.

Everything a demo conversation says, and the weights that shape the year, is data in
``resources/demo/`` (JSON), read once by :meth:`DemoWording.load`:

- ``people.json``: first names and surnames for the generated GPs and specialists, and
  the synthetic patients' family and given names;
- ``world.json``: each specialty's relative request volume and its patients' ages;
- ``wording.json``: the phrases of summaries, questions, replies, advice and notes;
- ``scenarios.json``: the kinds of request each specialty gets, with their usual advice.

Enum values in the files (closing outcomes, recommendations) are checked against the
domain's enums as they are read, so a typo fails at load, not in a generated row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple

from bhcp_ag.domain.conversation import ClosingOutcome, Recommendation
from bhcp_ag.paths import RESOURCES_DIR

DEMO_RESOURCES_DIR = RESOURCES_DIR / "demo"
DEFAULT_AGE_PROFILE = (18.0, 50.0, 90.0, 0.55)
DEFAULT_SPECIALTY_VOLUME = 2.0

AgeProfile = tuple[float, float, float, float]  # youngest, most common, oldest, share of women
Pair = tuple[str, str]  # what one side writes and what the other answers


class Scenario(NamedTuple):
    """One kind of request a specialty gets, with the advice it usually draws."""

    complaint: str
    question: str
    advice: str
    answers: Mapping[str, object]  # template answers the scenario fixes
    sex: str | None = None  # "female" or "male" when the scenario needs one
    ages: tuple[float, float] | None = None  # years
    weight: float = 1.0  # how common, relative to the specialty's other scenarios


@dataclass(frozen=True)
class DemoWording:
    """The contents of ``resources/demo/``, ready for the planners' hot loops (tuples)."""

    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    patient_family_names: tuple[str, ...]
    patient_given_names: Mapping[str, tuple[str, ...]]  # by sex: "female", "male"
    specialty_volume: Mapping[str, float]
    age_profile: Mapping[str, AgeProfile]
    duration_texts: tuple[str, ...]
    duration_days: tuple[int, ...]  # shortest first
    background_adult: tuple[str, ...]
    background_elderly: tuple[str, ...]
    background_child: tuple[str, ...]
    examinations: tuple[str, ...]
    medication_adult: tuple[str, ...]
    medication_child: tuple[str, ...]
    results: tuple[str, ...]
    questions: tuple[Pair, ...]  # the specialist asks, the GP replies
    follow_ups: tuple[Pair, ...]  # the GP asks again, the specialist answers
    conversions: tuple[str, ...]
    cancel_notes: tuple[str, ...]
    closing_outcomes: Mapping[str, str]  # how a request ends -> ClosingOutcome value
    closing_notes: Mapping[str, tuple[str, ...]]  # by ClosingOutcome value
    recommendations: Mapping[str, tuple[str, ...]]  # by how a request ends, drawn uniformly
    recommendation_words: Mapping[str, tuple[str, ...]]  # by Recommendation value
    text_answers: Mapping[str, tuple[str, ...]]  # by template field key
    number_ranges: Mapping[str, tuple[float, float, int]]  # low, high, decimal places
    scenarios: Mapping[str, tuple[Scenario, ...]]  # by specialty code
    scenario_weights: Mapping[str, tuple[float, ...]]  # cumulative, by specialty code

    @staticmethod
    def load(directory: Path | None = None) -> DemoWording:
        """The demo data in ``directory`` (default ``resources/demo``), read once per folder."""
        return _load(directory or DEMO_RESOURCES_DIR)

    def age_profile_of(self, code: str) -> AgeProfile:
        return self.age_profile.get(code, DEFAULT_AGE_PROFILE)


def _read(directory: Path, name: str) -> dict[str, Any]:
    with (directory / f"{name}.json").open(encoding="utf-8") as file:
        document: dict[str, Any] = json.load(file)
    return document


def _strings(items: list[str]) -> tuple[str, ...]:
    return tuple(items)


def _pairs(items: list[list[str]]) -> tuple[Pair, ...]:
    return tuple((first, second) for first, second in items)


def _scenario(fields: dict[str, Any]) -> Scenario:
    ages = fields.get("ages")
    return Scenario(
        complaint=fields["complaint"],
        question=fields["question"],
        advice=fields["advice"],
        answers=fields["answers"],
        sex=fields.get("sex"),
        ages=(ages[0], ages[1]) if ages else None,
        weight=fields.get("weight", 1.0),
    )


def _recommendations(counted: dict[str, list[list[Any]]]) -> dict[str, tuple[str, ...]]:
    """``{"managed": [["ADVICE_ONLY…", 7], …]}`` expanded to a tuple drawn from uniformly."""
    return {
        fate: tuple(Recommendation(value).value for value, count in runs for _ in range(count))
        for fate, runs in counted.items()
    }


@cache
def _load(directory: Path) -> DemoWording:
    people, world = _read(directory, "people"), _read(directory, "world")
    words, scenarios = _read(directory, "wording"), _read(directory, "scenarios")
    by_code = {
        code: tuple(_scenario(fields) for fields in listed)
        for code, listed in scenarios["scenarios"].items()
    }
    return DemoWording(
        first_names=_strings(people["first_names"]),
        surnames=_strings(people["surnames"]),
        patient_family_names=_strings(people["patients"]["family_names"]),
        patient_given_names={
            sex: _strings(people["patients"][f"given_names_{sex}"]) for sex in ("female", "male")
        },
        specialty_volume=world["specialty_volume"],
        age_profile={code: (a, b, c, d) for code, (a, b, c, d) in world["age_profile"].items()},
        duration_texts=tuple(text for text, _ in words["durations"]),
        duration_days=tuple(days for _, days in words["durations"]),
        background_adult=_strings(words["background_adult"]),
        background_elderly=_strings(words["background_elderly"]),
        background_child=_strings(words["background_child"]),
        examinations=_strings(words["examinations"]),
        medication_adult=_strings(words["medication_adult"]),
        medication_child=_strings(words["medication_child"]),
        results=_strings(words["results"]),
        questions=_pairs(words["questions"]),
        follow_ups=_pairs(words["follow_ups"]),
        conversions=_strings(words["conversions"]),
        cancel_notes=_strings(words["cancel_notes"]),
        closing_outcomes={
            fate: ClosingOutcome(value).value for fate, value in words["closing_outcomes"].items()
        },
        closing_notes={
            ClosingOutcome(value).value: _strings(notes)
            for value, notes in words["closing_notes"].items()
        },
        recommendations=_recommendations(words["recommendations"]),
        recommendation_words={
            Recommendation(value).value: _strings(texts)
            for value, texts in words["recommendation_words"].items()
        },
        text_answers={key: _strings(texts) for key, texts in words["text_answers"].items()},
        number_ranges={
            key: (lo, hi, places) for key, (lo, hi, places) in words["number_ranges"].items()
        },
        scenarios=by_code,
        scenario_weights={
            code: tuple(accumulate(s.weight for s in listed)) for code, listed in by_code.items()
        },
    )
