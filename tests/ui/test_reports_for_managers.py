"""The Reports window as a new practice manager finds it: words, exports and a small screen.

Each test opens the window on the demo store, as :mod:`tests.ui.test_reports_view` does,
as the demo practice manager (their own practice only), or as the administrator where
the whole Bay's longer lists matter, and goes through what a manager reported: the
chart's names, the printed report, where exports are saved and what they are called,
the CSV's headings, the assumptions' words and a 1024×640 screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarCategoryAxis
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSettings, QSize, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QHelpEvent,
    QImage,
    QPdfWriter,
    QTextBlock,
    QTextDocument,
    QTextFragment,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QFileDialog, QToolTip
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.services.reports import Reports
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.reports.chart import LABEL_ROOM, PRINTED_POINTS, axis_labels
from bhcp_ag.ui.reports.export import CHART_URL, TOTALS, export_name, report_document
from bhcp_ag.ui.reports.figures import column_title
from bhcp_ag.ui.reports.window import ReportsWindow

from .test_reports_view import (
    admin,  # noqa: F401  (a fixture)
    admin_reports,  # noqa: F401  (a fixture)
    choose,
    figure,
    kept_until_teardown,  # noqa: F401  (an autouse fixture)
    manager,  # noqa: F401  (a fixture)
    open_for_year,
    shown,
)

FILE_NAME = re.compile(r"[\w./\\-]+\.(csv|json|py|toml|sqlite3)\b|resources/", re.IGNORECASE)
"""A file of the code's named in text meant for people."""


@pytest.fixture
def manager_reports(
    qtbot: QtBot,
    manager: Workspace,  # noqa: F811
    organisation: Organisation,
    settings: QSettings,
) -> ReportsWindow:
    """The demo practice manager's Reports window on the demo year."""
    return open_for_year(qtbot, manager, organisation, settings)


def blocks(document: QTextDocument) -> Iterator[QTextBlock]:
    """The paragraphs of ``document``, in order."""
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()


def fragments(block: QTextBlock) -> Iterator[QTextFragment]:
    """The runs of one format (text, or an image) in ``block``."""
    at = block.begin()
    while not at.atEnd():
        yield at.fragment()
        at += 1


def pdf_text(path: Path) -> str:
    """The text of every page of the PDF at ``path``, its spaces folded."""
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    text = " ".join(document.getAllText(page).text() for page in range(document.pageCount()))
    document.close()
    return " ".join(text.split())


def test_the_assumptions_say_where_figures_come_from_without_naming_files(
    qtbot: QtBot, manager_reports: ReportsWindow, tmp_path: Path
) -> None:
    window = manager_reports
    choose(qtbot, window, "breakdown", Dimension.MONTH.value)
    assert window.assumptions.isVisible()
    shown_text = window.assumptions.text.text() + window.assumptions.text.accessibleName()
    assert "main roads" in shown_text
    report = shown(window)
    tips = [
        window.model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        for column in range(len(report.columns))
    ]
    csv_path = window.export_csv(tmp_path / "report.csv")
    pdf_path = window.export_pdf(tmp_path / "report.pdf")
    assert csv_path is not None and pdf_path is not None
    for text in (shown_text, *tips, csv_path.read_text(encoding="utf-8-sig"), pdf_text(pdf_path)):
        assert FILE_NAME.search(text) is None, text


def test_exports_start_in_documents_named_for_the_period_and_scope(
    qtbot: QtBot,
    manager_reports: ReportsWindow,
    organisation: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = manager_reports
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user-dirs.dirs
    offered: list[str] = []

    def cancelled(_parent: object, _caption: str, where: str, _kinds: str) -> tuple[str, str]:
        offered.append(where)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", cancelled)
    qtbot.mouseClick(window.csv_button, Qt.MouseButton.LeftButton)
    practice = organisation.practice(window.report.query.practice_codes[0])  # type: ignore[union-attr]
    name = f"A&G report 2025-12-01 to 2026-11-30 - {practice.name} ({practice.code})"
    assert offered == [str(home / "Documents" / f"{name}.csv")]
    (home / "Documents").rmdir()  # no Documents folder: the home folder instead
    qtbot.mouseClick(window.pdf_button, Qt.MouseButton.LeftButton)
    assert offered[1] == str(home / f"{name}.pdf")
    assert "Saved" not in window.status.text()  # cancelled: nothing saved


def test_an_export_name_has_only_characters_every_system_allows(
    manager_reports: ReportsWindow,
) -> None:
    report = shown(manager_reports)
    name = export_name(report, 'Kendal: St Mary\'s / "North" <ICC>?*|', "csv")
    assert name == "A&G report 2025-12-01 to 2026-11-30 - Kendal- St Mary's - -North- -ICC.csv"


def test_the_printed_report_wraps_headings_at_spaces_and_totals_the_groups(
    qtbot: QtBot,
    manager_reports: ReportsWindow,
    manager: Workspace,  # noqa: F811
    organisation: Organisation,
    tmp_path: Path,
) -> None:
    window = manager_reports
    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)
    service = Reports(manager.store, organisation, manager.catalogue)
    report = service.with_totals(manager.user, shown(window))
    path = window.export_pdf(tmp_path / "report.pdf")
    assert path is not None
    words = pdf_text(path).split()
    heading_words = {word for key in report.columns for word in column_title(key).split()}
    assert heading_words <= set(words)  # "Conversations" whole, not "Conversa" "tions"
    split = [(a, b) for a, b in zip(words, words[1:], strict=False) if a + b in heading_words]
    assert split == []
    totals = report.totals
    assert totals is not None
    for key in ("conversations", "would_have_referred", "referrals_avoided", "money_saved"):
        assert totals[key] == sum(figure(record, key) for record in report.records)
    at = words.index(TOTALS)
    printed = [f"{figure(totals, key):,.0f}" for key in ("conversations", "would_have_referred")]
    assert words[at + 1 : at + 3] == printed  # the row of every specialty together


def test_the_printed_chart_is_drawn_at_the_size_it_prints(
    qtbot: QtBot, manager_reports: ReportsWindow, tmp_path: Path
) -> None:
    window = manager_reports
    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)
    writer = QPdfWriter(str(tmp_path / "report.pdf"))
    document = report_document(shown(window), window.heading(), writer, window.chart.keys)
    image = document.resource(QTextDocument.ResourceType.ImageResource, CHART_URL)
    assert isinstance(image, QImage) and not image.isNull()
    [placed] = [
        fragment.charFormat().toImageFormat()
        for block in blocks(document)
        for fragment in fragments(block)
        if fragment.charFormat().isImageFormat()
    ]
    printed_width = placed.width()  # on paper, in 1/96 inch
    assert printed_width == pytest.approx(image.deviceIndependentSize().width(), abs=1)
    assert printed_width > 0.9 * writer.width() * 96 / writer.resolution()  # across the page
    assert min(PRINTED_POINTS.values()) >= 9  # so its words print at 9 points or more
    del writer


def test_the_specialty_chart_names_each_bar_and_shows_the_whole_name_on_hover(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
) -> None:
    window = admin_reports  # the whole Bay: 24 specialties to fit beside the table
    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)
    report = shown(window)
    chart = window.chart.chart()
    [axis] = [a for a in chart.axes() if isinstance(a, QBarCategoryAxis)]
    names = [str(record["specialty_name"]) for record in report.records]
    assert list(reversed(axis.categories())) == names  # "Dermatology", not "330" or "…"
    assert not axis.truncateLabels()
    qtbot.waitUntil(lambda: chart.plotArea().height() > 0)
    line = QFontMetrics(axis.labelsFont()).height()
    assert chart.plotArea().height() / len(names) >= line  # a line of type for each name

    row = names.index("Dermatology")
    area = chart.plotArea()
    beside = QPointF(area.left() - 30, area.top() + (row + 0.5) * area.height() / len(names))
    where = window.chart.view.mapFromScene(chart.mapToScene(beside))
    viewport = window.chart.view.viewport()
    tip = QHelpEvent(QEvent.Type.ToolTip, where, viewport.mapToGlobal(where))
    QApplication.sendEvent(viewport, tip)
    conversations = f"{figure(report.records[row], 'conversations'):,.0f}"
    assert QToolTip.text() == window.chart.tip_at(where)
    assert QToolTip.text().startswith(f"Dermatology — Conversations: {conversations}; ")


def test_only_a_name_too_long_for_its_room_is_cut_short() -> None:
    font = QFont()
    long = "Kirkby Lonsdale, Sedbergh and Dent Community Health Partnership Practice"
    labels = axis_labels(["Dermatology", long, long], font)
    assert labels[0] == "Dermatology"
    assert labels[1].endswith("…") and long.startswith(labels[1][:-1])
    assert QFontMetrics(font).horizontalAdvance(labels[1]) <= LABEL_ROOM
    assert labels[2] != labels[1]  # an axis drops a repeated name


def test_the_window_fits_a_small_screen_with_every_control_in_reach(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
) -> None:
    window = admin_reports  # the whole Bay's: the most choices, a place among them
    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)
    smallest = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert smallest.width() <= 1000 and smallest.height() <= 600  # 1024×640, less a title bar
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: window.size() == QSize(1000, 600))
    choices = window.choices
    for control in (
        choices.preset,
        choices.breakdown,
        choices.place,
        choices.tariff,
        window.table,
        window.chart.measure,
        window.csv_button,
        window.pdf_button,
        window.close_button,
    ):
        assert control.isVisible() and not control.visibleRegion().isEmpty()
        where = QRect(control.mapTo(window, QPoint(0, 0)), control.size())
        assert window.rect().contains(where), control.accessibleName()
    chart = window.chart
    assert chart.area.verticalScrollBar().isVisible()  # 24 names: the chart scrolls, whole
