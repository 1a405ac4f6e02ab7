"""A report as a PDF: title, period, scope, breakdown, the table, assumptions and chart.

Exports are offered in the user's Documents folder (:func:`export_folder`) under a name
that says the period and scope (:func:`export_name`).

Printed from HTML with ``QTextDocument`` on a ``QPdfWriter`` (A4 landscape), laid out on
the writer's own pages (:func:`report_document`): headings wrap at spaces only, the table
ends with a row for all groups together, and the chart is drawn on white at the size it
prints, embedded as an image resource. The PDF holds the report's figures and
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

from PySide6.QtCore import QMarginsF, QSizeF, QStandardPaths, QUrl
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument, QTextOption

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.metrics import BY_KEY
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.report_table import Record
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.services.reports import Report, breakdown_words
from bhcp_ag.ui.formatting import london_time, short_date
from bhcp_ag.ui.reports.chart import DEFAULT_CHOICE, chart_image
from bhcp_ag.ui.reports.chart_data import chart_data
from bhcp_ag.ui.reports.figures import SAVINGS_KEYS, cell_text, column_title

CHART_URL = QUrl("report://chart.png")
TOTALS = "Total"
"""The first cell of the table's last row, which holds the figures for every group."""
_UNSAFE = re.compile(r"[^\w &'(),.+-]")
"""Characters some file system or other refuses (or a shell misreads) in a file name."""
_STYLE = """
body { font-family: sans-serif; font-size: 7pt; }
h1 { font-size: 14pt; color: #1f3a5f; }
h3 { font-size: 9pt; }
table.figures { border-collapse: collapse; }
table.figures th { background: #e8eef6; font-weight: bold; font-size: 6.5pt; }
tr.totals th { background: #f2f2f2; }
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
    report: Report,
    heading: ReportHeading,
    chart: QSizeF | None = None,
    chart_keys: Sequence[str] = (),
    parts: int = 1,
) -> str:
    """The printed report, its table in ``parts`` (side by side on paper: each repeats
    the groups); with ``chart``, the chart of ``chart_keys`` at :data:`CHART_URL`, that
    size on the page (in points at 96 to the inch, as the chart is drawn)."""
    facts = [
        ("Period", period_text(report)),
        ("Scope", heading.scope),
        ("Filters", heading.filters),
        ("Breakdown", breakdown_text(report)),
        ("Figures as at", london_time(report.query.now)),
    ]
    html = [f"<html><head><style>{_STYLE}</style></head><body>"]
    html.append(f"<h1>{escape(heading.title)}</h1>")
    html.append("<p>" + "<br/>".join(f"<b>{k}:</b> {escape(v)}" for k, v in facts) + "</p>")
    html += [_table_html(report, keys) for keys in _table_parts(report, parts)]
    lines = assumption_lines(report)
    if lines:
        html.append("<h3>Assumptions behind the savings</h3><ul>")
        html += [f"<li><b>{escape(k)}:</b> {escape(v)}</li>" for k, v in lines]
        html.append("</ul>")
    data = chart_data(report, chart_keys) if chart is not None and chart_keys else None
    if chart is not None and data is not None:
        size = f'width="{chart.width():.0f}" height="{chart.height():.0f}"'
        html.append(f'<h3 style="page-break-before: always">{escape(data.title)}</h3>')
        if data.note:
            html.append(f'<p class="note">{escape(data.note)}</p>')
        html.append(f'<p><img src="{CHART_URL.toString()}" {size}/></p>')
    printed = london_time(heading.printed_at)
    html.append(
        f'<p class="note">Printed {escape(printed)} (London time). A dash: not computable.</p>'
    )
    html.append("</body></html>")
    return "".join(html)


def _table_parts(report: Report, parts: int) -> list[list[str]]:
    """The columns of each part of the table: the groups', then a share of the measures."""
    groups = [key for key in report.columns if key not in BY_KEY]
    measures = [key for key in report.columns if key in BY_KEY]
    size = -(-len(measures) // max(1, parts))  # rounded up
    return [groups + measures[at : at + size] for at in range(0, len(measures), size or 1)]


def _cells(keys: Sequence[str], record: Record, tag: str = "td") -> str:
    """A row's cells; a group column the record has no value for is left empty."""
    return "".join(
        f'<{tag} class="number">{escape(cell_text(key, record))}</{tag}>'
        if key in BY_KEY
        else f"<{tag}>{escape(cell_text(key, record)) if key in record else ''}</{tag}>"
        for key in keys
    )


def _table_html(report: Report, keys: Sequence[str]) -> str:
    head = "".join(f"<th>{escape(column_title(key))}</th>" for key in keys)
    rows = [f"<tr>{_cells(keys, record)}</tr>" for record in report.records]
    if report.totals is not None and rows:
        rows.append(
            f'<tr class="totals"><th>{TOTALS}</th>{_cells(keys[1:], report.totals, "th")}</tr>'
        )
    body = "".join(rows) or f'<tr><td colspan="{len(keys)}">No conversations.</td></tr>'
    return (
        '<table class="figures" border="1" cellspacing="0" cellpadding="3" width="100%">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def report_document(
    report: Report, heading: ReportHeading, writer: QPdfWriter, chart_keys: Sequence[str] = ()
) -> QTextDocument:
    """The report laid out on ``writer``'s pages: headings wrapped at spaces only (the
    table in parts when its words do not fit across a page), the chart as large as a
    page allows and drawn at that size, so its words print as large as the text's."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.documentLayout().setPaintDevice(writer)
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    words_whole = QTextOption()
    words_whole.setWrapMode(QTextOption.WrapMode.WordWrap)  # never "Conversa/tions"
    document.setDefaultTextOption(words_whole)
    keys = tuple(chart_keys) or DEFAULT_CHOICE
    chart = None
    if report.query.group_by:
        inch = writer.resolution()
        across = QSizeF(writer.width(), writer.height() * 0.8) * (96 / inch)
        image = chart_image(report, keys, across)
        if image is not None:
            document.addResource(QTextDocument.ResourceType.ImageResource, CHART_URL, image)
            chart = image.deviceIndependentSize()
    for parts in range(1, 5):
        document.setHtml(report_html(report, heading, chart, keys, parts))
        if document.size().width() <= writer.width() + 1:
            break
    return document


def _writer(path: Path, title: str) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
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
    return writer


def write_pdf(
    report: Report, path: Path, heading: ReportHeading, chart_keys: Sequence[str] = ()
) -> None:
    """Print ``report`` to a PDF at ``path`` (raises OSError when it cannot be written)."""
    writer = _writer(path, heading.title)
    report_document(report, heading, writer, chart_keys).print_(writer)
    del writer  # finishes the file
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"The PDF could not be written to {path}.")
