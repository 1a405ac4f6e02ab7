"""How a report's columns and figures are written: on screen, in the chart and in the PDF.

A column is a breakdown dimension (or the name beside a practice's or specialty's code)
or a measure. Measure headers carry their unit ("Avoidance rate (%)"), so the cells hold
plain numbers, right-aligned, with thousands separators; a figure that cannot be worked
out (a rate of nothing) is a dash. Group labels are shown in words: a month as
"Apr 2026", a priority as "Two-week wait", a sex as "Female".
"""

from __future__ import annotations

from datetime import date

from bhcp_ag.domain.conversation import Priority
from bhcp_ag.domain.metrics import BY_KEY, Measure
from bhcp_ag.domain.report_table import DECIMALS, Record, column_heading, measure_heading
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.ui.formatting import NOT_SET, label_of

SAVINGS_KEYS = ("appointments_avoided", "miles_saved", "money_saved")
"""The measures that rest on assumptions, shown beside them."""

_NAME_COLUMNS = ("practice_name", "specialty_name")


def is_measure(key: str) -> bool:
    return key in BY_KEY


column_title = column_heading
"""The header of a report column (:func:`~bhcp_ag.domain.report_table.column_heading`)."""
measure_title = measure_heading


def figure_text(measure: Measure, value: object) -> str:
    """``1,234`` or ``65.4``; a dash for a figure that cannot be worked out."""
    if value is None or not isinstance(value, int | float):
        return NOT_SET
    return f"{value:,.{DECIMALS[measure.unit]}f}"


def group_text(dimension: Dimension, label: str) -> str:
    """A group's label in words ("Apr 2026", "Routine", "Female")."""
    if dimension is Dimension.MONTH:
        try:
            year, month = (int(part) for part in label.split("-"))
        except ValueError:
            return label
        return f"{date(year, month, 1):%b %Y}"
    if dimension is Dimension.PRIORITY:
        return label_of(Priority, label)
    if dimension is Dimension.SEX:
        return label.replace("_", " ").capitalize() if label else NOT_SET
    return label or NOT_SET


def cell_text(key: str, record: Record) -> str:
    """What the table shows for column ``key`` of ``record``."""
    value = record.get(key)
    measure = BY_KEY.get(key)
    if measure is not None:
        return figure_text(measure, value)
    if key in _NAME_COLUMNS:
        return str(value or "")
    return group_text(Dimension(key), "" if value is None else str(value))


def group_name(group_by: tuple[Dimension, ...], record: Record) -> str:
    """A short name for a record's group, for a chart's axis: "BAY001", "Apr 2026"."""
    parts = [
        group_text(dimension, str(record.get(dimension.value) or "")) for dimension in group_by
    ]
    return " · ".join(parts) or "All"
