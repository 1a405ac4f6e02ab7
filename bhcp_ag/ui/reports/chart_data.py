"""What a report's chart shows: lines or bars, their categories and series, and a note.

Worked out from the report's records alone (no drawing here; :mod:`.chart` draws it):

- One breakdown by month: a line per chosen measure, a point for every month of the
  period. A month with no requests counts nothing, so counts, miles and pounds are 0
  there; a rate of nothing is left out.
- One breakdown by anything else: a horizontal bar per group for each chosen measure,
  a practice or specialty named in words ("Duke Street Surgery", not "BAY002").
- Two breakdowns, one of them month: one measure (the first chosen), a line per group of
  the other dimension across the months (network then month: a line per network).
- Two breakdowns, neither month: one measure, grouped bars: a category per group of the
  first dimension, a bar in it for each group of the second (specialty then priority).

With two breakdowns, at most :data:`MAX_SERIES` lines or bar sets and
:data:`MAX_CATEGORIES` categories are drawn, those with the most conversations; the
note beside the chart says what was left out (the table has every group).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from bhcp_ag.domain.metrics import BY_KEY, Unit
from bhcp_ag.domain.report_table import Record
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.services.reports import Report
from bhcp_ag.ui.reports.figures import group_text

MAX_SERIES = 8
"""Lines (or sets of bars) a two-way chart draws at most: more could not be told apart."""
MAX_CATEGORIES = 15
"""Groups along the axis of a two-way bar chart at most."""
ZERO_WHEN_ABSENT = frozenset({Unit.COUNT, Unit.MILES, Unit.POUNDS})
"""Units whose figure for a group with no requests is 0 (a rate of nothing has none)."""
PLURALS = {
    Dimension.PRACTICE: "practices",
    Dimension.ICC: "ICCs",
    Dimension.NETWORK: "networks",
    Dimension.SPECIALTY: "specialties",
    Dimension.MONTH: "months",
    Dimension.PRIORITY: "priorities",
    Dimension.AGE_BAND: "age bands",
    Dimension.SEX: "sexes",
}


class ChartKind(Enum):
    LINES = "lines"
    BARS = "bars"


@dataclass(frozen=True)
class ChartSeries:
    """One line, or one set of bars: a value per category (None: no point drawn)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartData:
    """A chart to draw: categories in reading order (months left to right, groups top
    to bottom), one series per measure or per group, and what the chart leaves out."""

    kind: ChartKind
    title: str
    keys: tuple[str, ...]
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    by_group: bool
    """True when each series is a group (two breakdowns), not a measure."""
    note: str = ""


def chart_data(report: Report, keys: Sequence[str]) -> ChartData | None:
    """The chart of ``keys`` for ``report``; None for a report without a breakdown."""
    group_by = report.query.group_by
    if not group_by or not report.records or not keys:
        return None
    if len(group_by) == 1:
        return _one_way(report, tuple(keys))
    return _two_way(report, keys[0], len(keys) > 1)


def _what(keys: Sequence[str]) -> str:
    return " and ".join(BY_KEY[key].label.lower() for key in keys).capitalize()


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _one_way(report: Report, keys: tuple[str, ...]) -> ChartData:
    [dimension] = report.query.group_by
    title = f"{_what(keys)} by {dimension.in_sentence}"
    if dimension is Dimension.MONTH:
        by_month = {str(record.get("month")): record for record in report.records}
        months = [month for month, _ in report.query.period.months()]
        lines = tuple(
            ChartSeries(
                BY_KEY[key].label, tuple(_in_month(by_month, month, key) for month in months)
            )
            for key in keys
        )
        categories = tuple(group_text(Dimension.MONTH, month) for month in months)
        return ChartData(ChartKind.LINES, title, keys, categories, lines, by_group=False)
    bars = tuple(
        ChartSeries(BY_KEY[key].label, tuple(_number(r.get(key)) for r in report.records))
        for key in keys
    )
    categories = tuple(
        _words(dimension, str(r.get(dimension.value) or ""), r) for r in report.records
    )
    return ChartData(ChartKind.BARS, title, keys, categories, bars, by_group=False)


def _in_month(by_month: dict[str, Record], month: str, key: str) -> float | None:
    if month not in by_month:
        return 0.0 if BY_KEY[key].unit in ZERO_WHEN_ABSENT else None
    return _number(by_month[month].get(key))


Cells = dict[tuple[str, ...], Record]


def _two_way(report: Report, key: str, more_chosen: bool) -> ChartData:
    first, second = report.query.group_by
    title = f"{_what([key])} by {first.in_sentence} and {second.in_sentence}"
    cells: Cells = dict(zip(report.groups, report.records, strict=True))
    if Dimension.MONTH in (first, second):
        kind, categories, series, note = ChartKind.LINES, *_over_months(report, key, cells)
    else:
        kind, categories, series, note = ChartKind.BARS, *_grouped_bars(report, key, cells)
    notes = [note] if note else []
    label = BY_KEY[key].label.lower()
    if more_chosen:
        notes.insert(0, f"With two breakdowns the chart shows one measure: {label}.")
    return ChartData(kind, title, (key,), categories, series, by_group=True, note=" ".join(notes))


def _absent(key: str) -> float | None:
    return 0.0 if BY_KEY[key].unit in ZERO_WHEN_ABSENT else None


def _over_months(
    report: Report, key: str, cells: Cells
) -> tuple[tuple[str, ...], tuple[ChartSeries, ...], str]:
    """A line across the months for each group of the other dimension."""
    month_at = report.query.group_by.index(Dimension.MONTH)
    other_at = 1 - month_at
    labels, names = _groups(report, other_at)
    kept, note = _largest(report, other_at, labels, MAX_SERIES)
    months = [month for month, _ in report.query.period.months()]
    series = []
    for label in kept:
        values = []
        for month in months:
            cell = (month, label) if month_at == 0 else (label, month)
            values.append(_number(cells[cell].get(key)) if cell in cells else _absent(key))
        series.append(ChartSeries(names[label], tuple(values)))
    categories = tuple(group_text(Dimension.MONTH, month) for month in months)
    return categories, tuple(series), note


def _grouped_bars(
    report: Report, key: str, cells: Cells
) -> tuple[tuple[str, ...], tuple[ChartSeries, ...], str]:
    """A category per group of the first dimension, a set of bars per group of the second."""
    rows, row_names = _groups(report, 0)
    sets, set_names = _groups(report, 1)
    kept_rows, row_note = _largest(report, 0, rows, MAX_CATEGORIES)
    kept_sets, set_note = _largest(report, 1, sets, MAX_SERIES)

    def value(row: str, label: str) -> float | None:
        return _number(cells[(row, label)].get(key)) if (row, label) in cells else _absent(key)

    series = tuple(
        ChartSeries(set_names[label], tuple(value(row, label) for row in kept_rows))
        for label in kept_sets
    )
    note = " ".join(text for text in (row_note, set_note) if text)
    return tuple(row_names[row] for row in kept_rows), series, note


def _groups(report: Report, at: int) -> tuple[list[str], dict[str, str]]:
    """The labels of dimension number ``at`` in the report's order, and their words."""
    dimension = report.query.group_by[at]
    labels: list[str] = []
    names: dict[str, str] = {}
    for group, record in zip(report.groups, report.records, strict=True):
        label = group[at]
        if label not in names:
            labels.append(label)
            names[label] = _words(dimension, label, record)
    labels.sort(key=dimension.sort_key)  # the report's order: "5-17" before "18-39"
    return labels, names


def _words(dimension: Dimension, label: str, record: Record) -> str:
    """A group in a legend or on an axis, by name: a practice or specialty by its name
    ("Duke Street Surgery", "Dermatology"), others as shown in the table ("Apr 2026",
    "Female")."""
    name = record.get(f"{dimension.value}_name")
    if dimension in (Dimension.PRACTICE, Dimension.SPECIALTY) and name:
        return str(name)
    return group_text(dimension, label)


def _largest(report: Report, at: int, labels: list[str], most: int) -> tuple[list[str], str]:
    """Up to ``most`` of ``labels`` (in their order), those with the most conversations,
    and a note when any were left out."""
    if len(labels) <= most:
        return labels, ""
    weight = dict.fromkeys(labels, 0.0)
    for group, record in zip(report.groups, report.records, strict=True):
        weight[group[at]] += _number(record.get("conversations")) or 0.0
    ranked = sorted(labels, key=lambda label: -weight[label])[:most]
    kept = [label for label in labels if label in ranked]
    plural = PLURALS[report.query.group_by[at]]
    note = (
        f"Showing the {most} {plural} with the most conversations, of {len(labels)}; "
        "the table has them all."
    )
    return kept, note
