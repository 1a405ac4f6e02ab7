"""A report's rows as a table of records: what the CSV and JSON exports and the screen show.

One record per group: a column per breakdown dimension (with the name beside a practice's
or specialty's code), then one per measure, rounded for reading (counts whole, rates,
days and miles to one decimal, money to whole pounds). A figure that cannot be worked out
(a rate of nothing) is None, written as an empty cell. Each column has a heading in
people's words (:func:`column_heading`: "Avoidance rate (%)", "Practice name"), the
same on screen, in the PDF and at the top of a CSV.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bhcp_ag.domain.metrics import BY_KEY, MEASURES, Measure, Unit
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.domain.specialties import SpecialtyCatalogue

Record = dict[str, str | float | None]

DECIMALS = {
    Unit.COUNT: 0,
    Unit.PERCENT: 1,
    Unit.WORKING_DAYS: 1,
    Unit.DAYS: 1,
    Unit.MILES: 0,
    Unit.POUNDS: 0,
}
"""Decimal places a figure of each unit is shown (and exported) with."""


UNIT_SUFFIX = {
    Unit.COUNT: "",
    Unit.PERCENT: " (%)",
    Unit.WORKING_DAYS: " (working days)",
    Unit.DAYS: " (days)",
    Unit.MILES: " (miles)",
    Unit.POUNDS: " (£)",
}
"""What a measure's heading says of its unit, so that its cells hold plain numbers."""
_NAME_COLUMNS = {"practice_name": "Practice name", "specialty_name": "Specialty name"}


def measure_heading(measure: Measure) -> str:
    """ "Avoidance rate (%)": a measure's label with its unit."""
    return measure.label + UNIT_SUFFIX[measure.unit]


def column_heading(key: str) -> str:
    """The heading of a report column: a measure's label with its unit, or a dimension's
    ("Network"), or the name beside a code ("Practice name")."""
    measure = BY_KEY.get(key)
    if measure is not None:
        return measure_heading(measure)
    if key in _NAME_COLUMNS:
        return _NAME_COLUMNS[key]
    return Dimension(key).label


def rounded(value: float | None, unit: Unit) -> float | None:
    if value is None:
        return None
    # Whole numbers as integers, so that a CSV or JSON says 4634, not 4634.0.
    return round(value, DECIMALS[unit]) if DECIMALS[unit] else round(value)


def columns(group_by: Sequence[Dimension], measures: Sequence[Measure] = MEASURES) -> list[str]:
    """The records' keys in order: the dimensions (and names), then the measures."""
    keys: list[str] = []
    for dimension in group_by:
        keys.append(dimension.value)
        if dimension in (Dimension.PRACTICE, Dimension.SPECIALTY):
            keys.append(f"{dimension.value}_name")
    return keys + [measure.key for measure in measures]


def records(
    groups: Sequence[tuple[tuple[str, ...], Mapping[str, float | None]]],
    group_by: Sequence[Dimension],
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
    measures: Sequence[Measure] = MEASURES,
) -> list[Record]:
    """``(group labels, values)`` pairs as records with names and rounded figures."""
    out: list[Record] = []
    for labels, values in groups:
        record: Record = {}
        for dimension, label in zip(group_by, labels, strict=True):
            record[dimension.value] = label
            if dimension is Dimension.PRACTICE:
                record["practice_name"] = _practice_name(organisation, label)
            elif dimension is Dimension.SPECIALTY:
                record["specialty_name"] = _specialty_name(catalogue, label)
        for measure in measures:
            record[measure.key] = rounded(values.get(measure.key), measure.unit)
        out.append(record)
    return out


def _practice_name(organisation: Organisation, code: str) -> str:
    try:
        return organisation.practice(code).name
    except KeyError:
        return ""


def _specialty_name(catalogue: SpecialtyCatalogue, code: str) -> str:
    try:
        return catalogue.get(code).short_name
    except KeyError:
        return ""
