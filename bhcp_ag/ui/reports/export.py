"""A report as a PDF: title, period, scope, breakdown, the table, assumptions and chart.

Exports are offered in the user's Documents folder (:func:`export_folder`) under a name
that says the period and scope (:func:`export_name`).

Printed from HTML with ``QTextDocument`` on a ``QPdfWriter`` (A4 landscape), the chart
drawn on white and embedded as an image resource. The PDF holds the report's figures and
group names only: no patient's details, as the report has none. (CSV goes through
:func:`bhcp_ag.services.reports.write_csv`.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QStandardPaths, QUrl
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.metrics import BY_KEY
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.services.reports import Report, breakdown_words
from bhcp_ag.ui.formatting import london_time, short_date
from bhcp_ag.ui.reports.chart import DEFAULT_CHOICE, chart_image
from bhcp_ag.ui.reports.chart_data import chart_data
from bhcp_ag.ui.reports.figures import SAVINGS_KEYS, cell_text, column_title

CHART_URL = QUrl("report://chart.png")
CHART_WIDTH = 640
"""The chart's width on the page, in the document's pixels (its height follows)."""
_UNSAFE = re.compile(r"[^\w &'(),.+-]")
"""Characters some file system or other refuses (or a shell misreads) in a file name."""
_STYLE = """
body { font-family: sans-serif; font-size: 6.5pt; }
h1 { font-size: 13pt; color: #1f3a5f; }
h3 { font-size: 8pt; }
table.figures { border-collapse: collapse; }
table.figures th { background: #e8eef6; font-weight: bold; font-size: 6pt; }
td.number { text-align: right; }
p.note { color: #555555; }
"""


@dataclass(frozen=True)
class ReportHeading:
    """What a printed report says about itself."""

    title: str
    scope: str
    filters: str
    printed_at: datetime


def scope_text(user: CurrentUser, organisation: Organisation, catalogue: SpecialtyCatalogue) -> str:
    """Whose conversations ``user``'s reports cover: a practice, specialties, the Bay."""
    if user.role in (Role.GP, Role.PRACTICE_MANAGER) and user.practice_code:
        try:
            practice = organisation.practice(user.practice_code)
        except KeyError:
            return f"Practice {user.practice_code}"
        return f"{practice.name} ({practice.code})"
    if user.role is Role.SPECIALIST:
        names = [catalogue.get(code).short_name for code in user.specialty_codes]
        return "Your specialties: " + ", ".join(names)
    return "Every practice in Morecambe Bay"


def export_folder() -> Path:
    """Where exports are offered first: the user's Documents folder, else their home."""
    location = QStandardPaths.StandardLocation.DocumentsLocation
    documents = QStandardPaths.writableLocation(location)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def export_name(report: Report, scope: str, suffix: str) -> str:
    """ "A&G report 2025-04-01 to 2026-03-31 - Bay.csv": the period and scope, in
    characters every system allows in a file name."""
    period = report.query.period
    words = f"A&G report {period.first:%Y-%m-%d} to {period.last:%Y-%m-%d} - {scope}"
    safe = " ".join(_UNSAFE.sub("-", words).split())[:150].rstrip(" .-")
    return f"{safe}.{suffix}"


def period_text(report: Report) -> str:
    period = report.query.period
    return f"{short_date(period.first)} to {short_date(period.last)} (London dates, inclusive)"


def breakdown_text(report: Report) -> str:
    """ "Network, then month": the breakdowns in order."""
    return breakdown_words(report)


def assumption_lines(report: Report) -> list[tuple[str, str]]:
    """(measure label, assumption) for each savings measure the report shows."""
    described = report.assumptions()
    return [
        (BY_KEY[key].label, described[key])
        for key in SAVINGS_KEYS
        if key in report.columns and key in described
    ]


def report_html(
    report: Report, heading: ReportHeading, chart_keys: Sequence[str] | None = None
) -> str:
    """The printed report; with ``chart_keys``, the chart of them at :data:`CHART_URL`."""
    facts = [
        ("Period", period_text(report)),
        ("Scope", heading.scope),
        ("Filters", heading.filters),
        ("Breakdown", breakdown_text(report)),
        ("Figures as at", london_time(report.query.now)),
    ]
    parts = [f"<html><head><style>{_STYLE}</style></head><body>"]
    parts.append(f"<h1>{escape(heading.title)}</h1>")
    parts.append("<p>" + "<br/>".join(f"<b>{k}:</b> {escape(v)}" for k, v in facts) + "</p>")
    parts.append(_table_html(report))
    lines = assumption_lines(report)
    if lines:
        parts.append("<h3>Assumptions behind the savings</h3><ul>")
        parts += [f"<li><b>{escape(k)}:</b> {escape(v)}</li>" for k, v in lines]
        parts.append("</ul>")
    data = chart_data(report, chart_keys) if chart_keys else None
    if data is not None:
        image = f'<img src="{CHART_URL.toString()}" width="{CHART_WIDTH}"/>'
        parts.append(f'<h3 style="page-break-before: always">{escape(data.title)}</h3>')
        if data.note:
            parts.append(f'<p class="note">{escape(data.note)}</p>')
        parts.append(f"<p>{image}</p>")
    printed = london_time(heading.printed_at)
    parts.append(
        f'<p class="note">Printed {escape(printed)} (London time). A dash: not computable.</p>'
    )
    parts.append("</body></html>")
    return "".join(parts)


def _table_html(report: Report) -> str:
    head = "".join(f"<th>{escape(column_title(key))}</th>" for key in report.columns)
    rows = []
    for record in report.records:
        cells = "".join(
            f'<td class="number">{escape(cell_text(key, record))}</td>'
            if key in BY_KEY
            else f"<td>{escape(cell_text(key, record))}</td>"
            for key in report.columns
        )
        rows.append(f"<tr>{cells}</tr>")
    body = "".join(rows) or f'<tr><td colspan="{len(report.columns)}">No conversations.</td></tr>'
    return (
        '<table class="figures" border="1" cellspacing="0" cellpadding="3">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def write_pdf(
    report: Report, path: Path, heading: ReportHeading, chart_keys: Sequence[str] = ()
) -> None:
    """Print ``report`` to a PDF at ``path`` (raises OSError when it cannot be written)."""
    keys = tuple(chart_keys) or DEFAULT_CHOICE
    image = chart_image(report, keys) if report.query.group_by else None
    document = QTextDocument()
    document.setDocumentMargin(0)
    if image is not None:
        document.addResource(QTextDocument.ResourceType.ImageResource, CHART_URL, image)
    document.setHtml(report_html(report, heading, keys if image is not None else None))
    writer = QPdfWriter(str(path))
    writer.setTitle(heading.title)
    writer.setCreator("bhcp-ag")
    writer.setResolution(150)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    document.print_(writer)
    del writer  # finishes the file
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"The PDF could not be written to {path}.")
