"""What the GP writes: the question, clinical summary, medication, results and template answers.

The words come from the scenario and the phrase lists of
:class:`~bhcp_ag.domain.demo.wording.DemoWording`. Every required template field is
answered (the scenario's own answers first) and some optional ones, so every sent demo
request passes the same checks as a real one; fields that depend on the patient (age in
months, pregnancy, menopausal status, weight, height) are derived from the patient.
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bhcp_ag.domain.demo.people import Patient
from bhcp_ag.domain.demo.wording import DemoWording, Scenario
from bhcp_ag.domain.templates import FieldType, RequestTemplate, TemplateField

OPTIONAL_ANSWER_SHARE = 0.4
_JSON = json.JSONEncoder(sort_keys=True)  # as json.dumps(..., sort_keys=True), built once


def request_content(
    rng: random.Random,
    wording: DemoWording,
    template: RequestTemplate,
    scenario: Scenario,
    patient: Patient,
    day: date,
) -> dict[str, str]:
    """The question, clinical summary, medication, results and template answers (JSON)."""
    w = wording
    duration = _duration(rng, w, patient)
    adult = patient.age_days >= 18 * 365.25
    background = w.background_elderly if patient.age_days >= 75 * 365.25 else w.background_adult
    summary = (
        f"{_described(patient)} with {scenario.complaint} for {duration}. "
        f"{rng.choice(background if adult else w.background_child)} {rng.choice(w.examinations)}"
    )
    answers = _template_answers(rng, w, template, scenario, (patient, day, duration))
    return {
        "question": scenario.question,
        "clinical_summary": summary,
        "medication": rng.choice(w.medication_adult if adult else w.medication_child),
        "results": rng.choice(w.results),
        "template_answers": _JSON.encode(answers),
    }


def _duration(rng: random.Random, wording: DemoWording, patient: Patient) -> str:
    """How long the problem has lasted: never longer than the patient has lived."""
    fitting = bisect(wording.duration_days, patient.age_days)
    return rng.choice(wording.duration_texts[: max(fitting, 1)])


def _described(patient: Patient) -> str:
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
    wording: DemoWording,
    template: RequestTemplate,
    scenario: Scenario,
    context: tuple[Patient, date, str],
) -> dict[str, Any]:
    """Every required field answered (the scenario's own answers first), some optional."""
    patient, day, duration = context
    answers: dict[str, Any] = {}
    for fld in template.fields:
        if fld.key in scenario.answers:
            answers[fld.key] = scenario.answers[fld.key]
            continue
        if not fld.required and rng.random() >= OPTIONAL_ANSWER_SHARE:
            continue
        derive = _DERIVED.get(fld.key)
        value = derive(rng, patient, day, duration) if derive else _answer(rng, wording, fld, day)
        if value is not None:
            answers[fld.key] = value
    return answers


def _answer(rng: random.Random, wording: DemoWording, fld: TemplateField, day: date) -> object:
    """A plausible answer to a field by its type (None leaves an optional field blank)."""
    if fld.type in (FieldType.TEXT, FieldType.LONGTEXT):
        pool = wording.text_answers.get(fld.key)
        if pool:
            return rng.choice(pool)
        return "As in the clinical summary." if fld.required else None
    if fld.type is FieldType.CHOICE:
        definite = [c for c in fld.choices if not c.startswith("Not ") and c != "Other"]
        return rng.choice(definite or list(fld.choices))
    if fld.type is FieldType.MULTICHOICE:
        return _multichoice(rng, fld)
    if fld.type is FieldType.NUMBER:
        return _number(rng, wording, fld)
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


def _number(rng: random.Random, wording: DemoWording, fld: TemplateField) -> float | int:
    """A typical value for the field, kept within the field's own bounds."""
    floor = fld.min if fld.min is not None else 0.0
    ceiling = fld.max if fld.max is not None else math.inf
    typical = (floor, min(ceiling, floor + 100.0), 0)
    low, high, places = wording.number_ranges.get(fld.key, typical)
    value = min(max(rng.uniform(low, high), floor), ceiling)
    return int(round(value)) if places == 0 else round(value, places)


# --- answers that follow from the patient --------------------------------------------------


def _female_age(patient: Patient) -> float | None:
    return patient.age_days / 365.25 if patient.sex == "female" else None


def _menopausal_status(rng: random.Random, patient: Patient, day: date, _d: str) -> str:
    age = _female_age(patient) or 0
    return "Premenopausal" if age < 45 else "Perimenopausal" if age < 55 else "Postmenopausal"


def _could_be_pregnant(patient: Patient) -> bool:
    age = _female_age(patient)
    return age is not None and 14 <= age < 50


def _pregnancy(rng: random.Random, patient: Patient, day: date, _d: str) -> str:
    return "Not pregnant" if _could_be_pregnant(patient) else "Not applicable"


def _pregnancy_test(rng: random.Random, patient: Patient, day: date, _d: str) -> str:
    if not _could_be_pregnant(patient):
        return "Not applicable"
    return "Negative" if rng.random() < 0.7 else "Not done"


def _cycle_relation(rng: random.Random, patient: Patient, day: date, _d: str) -> str:
    age = _female_age(patient)
    if age is None:
        return "Not applicable"
    if age >= 55:
        return "Postmenopausal"
    return "Cyclical" if rng.random() < 0.6 else "Non-cyclical"


def _last_period(rng: random.Random, patient: Patient, day: date, _d: str) -> str | None:
    if not _could_be_pregnant(patient) or (_female_age(patient) or 0) >= 50:
        return None
    return (day - timedelta(days=rng.randint(3, 30))).isoformat()


def _age_months(rng: random.Random, patient: Patient, day: date, _d: str) -> int:
    return min(216, int(patient.age_days / 30.44))


def _weight_kg(rng: random.Random, patient: Patient, day: date, _d: str) -> float:
    years = patient.age_days / 365.25
    typical = 3.5 + 7 * years if years < 1 else 8 + 2 * years if years < 10 else 3 * years - 2
    return round(typical * rng.uniform(0.85, 1.15), 1)


def _height_cm(rng: random.Random, patient: Patient, day: date, _d: str) -> int:
    years = patient.age_days / 365.25
    typical = 50 + 25 * years if years < 1 else min(180, 75 + 6 * years)
    return int(typical * rng.uniform(0.95, 1.05))


def _same_duration(rng: random.Random, patient: Patient, day: date, duration: str) -> str:
    return duration


_DERIVED: dict[str, Callable[[random.Random, Patient, date, str], object]] = {
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
