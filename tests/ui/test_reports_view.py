"""The Reports view: choices change the figures, charts, scope, drill-down and export.

Each test opens a :class:`ReportsWindow` on its own copy of the demo store (300
conversations in the year to 20 November 2026), as the demo administrator or practice
manager, with its settings in the test's own folder, and waits for the report worked
out off the UI thread to arrive on screen. The helpers here serve the other
``test_reports_*`` modules too (two breakdowns, remembered choices).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import cast

import pytest
from PySide6.QtCharts import QHorizontalBarSeries, QLineSeries
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QMainWindow
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.report_table import Record
from bhcp_ag.domain.reports import Dimension, Period, ReportQuery
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.services.reports import Report, Reports, read_csv
from bhcp_ag.services.workspace import Workspace, load_user
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation
from bhcp_ag.store.reference import DEMO_ADMIN, DEMO_MANAGER, DEMO_SPECIALIST
from bhcp_ag.ui.menus import add_menu
from bhcp_ag.ui.reports import add_reports_action
from bhcp_ag.ui.reports.figures import column_title
from bhcp_ag.ui.reports.window import REPORT_TITLE, ReportsWindow

from .conftest import NOW
from .test_accessibility import unnamed_controls

YEAR = (date(2025, 12, 1), date(2026, 11, 30))


def workspace_of(
    store: Store, username: str, catalogue: SpecialtyCatalogue, targets: ResponseTargets
) -> Workspace:
    return Workspace.for_user(store, load_user(store, username), catalogue, targets, lambda: NOW)


_OPEN: list[ReportsWindow] = []


def close_opened() -> None:
    """Close the windows the test opened (at teardown)."""
    while _OPEN:
        _OPEN.pop().close()


@pytest.fixture(autouse=True)
def kept_until_teardown() -> Iterator[None]:
    """Windows a test opened live until teardown: a report may still be coming back from
    the worker thread when the test returns (see tests/ui/test_sign_in.py)."""
    yield
    close_opened()


def keep(qtbot: QtBot, window: ReportsWindow) -> ReportsWindow:
    """Hold ``window`` until the test's teardown."""
    qtbot.addWidget(window)
    _OPEN.append(window)
    return window


def open_reports(
    qtbot: QtBot, workspace: Workspace, organisation: Organisation, settings: QSettings
) -> ReportsWindow:
    """The Reports window with its choices kept in ``settings``, its first report shown."""
    window = ReportsWindow.open_for(None, workspace, organisation, lambda: NOW, settings)
    keep(qtbot, window)
    qtbot.waitExposed(window)
    settle(qtbot, window)
    return window


def settle(qtbot: QtBot, window: ReportsWindow) -> None:
    """Wait until the report asked for last is on screen."""
    qtbot.waitUntil(lambda: not window.busy and window.report is not None, timeout=10_000)


def choose(qtbot: QtBot, window: ReportsWindow, combo_name: str, value: str) -> None:
    choices = window.choices
    choices.choose(getattr(choices, combo_name), value)
    settle(qtbot, window)


def year_of(qtbot: QtBot, window: ReportsWindow) -> None:
    window.choices.set_period(*YEAR)
    settle(qtbot, window)


def table_texts(window: ReportsWindow) -> list[list[str]]:
    model = window.model
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def shown(window: ReportsWindow) -> Report:
    """The report on screen (there must be one)."""
    assert window.report is not None
    return window.report


def figure(record: Record, key: str) -> float:
    value = record[key]
    assert isinstance(value, int | float)  # counts are whole numbers
    return value


def lines(window: ReportsWindow) -> list[QLineSeries]:
    series = window.chart.chart().series()
    assert all(isinstance(one, QLineSeries) for one in series)
    return [cast(QLineSeries, one) for one in series]


def column_of(window: ReportsWindow, key: str) -> int:
    assert window.report is not None
    return shown(window).columns.index(key)


@pytest.fixture
def admin(ui_store: Store, catalogue: SpecialtyCatalogue, targets: ResponseTargets) -> Workspace:
    return workspace_of(ui_store, DEMO_ADMIN, catalogue, targets)


@pytest.fixture
def manager(ui_store: Store, catalogue: SpecialtyCatalogue, targets: ResponseTargets) -> Workspace:
    """The demo practice manager, who reports on their own practice."""
    return workspace_of(ui_store, DEMO_MANAGER, catalogue, targets)


@pytest.fixture
def admin_reports(
    qtbot: QtBot, admin: Workspace, organisation: Organisation, settings: QSettings
) -> ReportsWindow:
    return open_for_year(qtbot, admin, organisation, settings)


def open_for_year(
    qtbot: QtBot, workspace: Workspace, organisation: Organisation, settings: QSettings
) -> ReportsWindow:
    """The Reports window showing the demo year (:data:`YEAR`)."""
    window = open_reports(qtbot, workspace, organisation, settings)
    year_of(qtbot, window)
    return window


def test_filters_and_breakdowns_change_the_table(
    qtbot: QtBot, admin_reports: ReportsWindow, admin: Workspace, organisation: Organisation
) -> None:
    window = admin_reports
    service = Reports(admin.store, organisation, admin.catalogue)
    [everything] = shown(window).records
    assert window.model.rowCount() == 1
    assert window.beside.currentWidget() is window.headline
    headline = window.headline.figures["conversations"].text()
    assert headline == f"{figure(everything, 'conversations'):,.0f}"
    assert figure(everything, "conversations") > 100

    choose(qtbot, window, "priority", "URGENT")
    [urgent] = shown(window).records
    assert 0 < figure(urgent, "conversations") < figure(everything, "conversations")
    assert shown(window).query.priorities == ("URGENT",)

    choose(qtbot, window, "priority", "")
    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)
    expected = service.run(admin.user, shown(window).query)
    assert window.model.rowCount() == len(expected.records) > 5
    names = [row[column_of(window, "specialty_name")] for row in table_texts(window)]
    assert names == [record["specialty_name"] for record in expected.records]
    assert window.beside.currentWidget() is window.chart
    assert isinstance(window.chart.chart().series()[0], QHorizontalBarSeries)

    choose(qtbot, window, "specialty", "330")
    assert [r["specialty"] for r in shown(window).records] == ["330"]
    header = window.model.headerData(column_of(window, "avoidance_rate"), Qt.Orientation.Horizontal)
    assert header == "Avoidance rate (%)"


def test_numbers_are_right_aligned_and_missing_figures_are_dashes(
    qtbot: QtBot, admin_reports: ReportsWindow, qtmodeltester: ModelTester
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.PRACTICE.value)
    model = window.model
    qtmodeltester.check(model)
    column = column_of(window, "conversations")
    alignment = model.index(0, column).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight
    rate = column_of(window, "avoidance_rate")
    for row, record in enumerate(shown(window).records):
        text = model.index(row, rate).data()
        assert text == (
            "—" if record["avoidance_rate"] is None else f"{record['avoidance_rate']:.1f}"
        )


def test_a_month_breakdown_draws_a_line_for_each_measure_with_a_point_a_month(
    qtbot: QtBot, admin_reports: ReportsWindow
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.MONTH.value)
    series = lines(window)
    assert len(series) == 2
    assert [s.name() for s in series] == ["Conversations", "Referrals avoided"]
    assert all(s.count() == 12 for s in series)
    by_month = {r["month"]: r for r in shown(window).records}
    conversations = [point.y() for point in series[0].points()]
    assert sum(conversations) == sum(figure(r, "conversations") for r in by_month.values())

    window.chart.measure.setCurrentIndex(window.chart.measure.findText("Avoidance rate (%)"))
    [rate] = lines(window)
    assert rate.name() == "Avoidance rate" and 0 < rate.count() <= 12


def test_last_financial_year_has_twelve_months_even_where_the_demo_had_none(
    qtbot: QtBot, admin_reports: ReportsWindow
) -> None:
    window = admin_reports
    window.choices.preset.setCurrentText("Last financial year")
    choose(qtbot, window, "breakdown", Dimension.MONTH.value)
    assert shown(window).query.period == Period(date(2025, 4, 1), date(2026, 3, 31))
    [conversations, _] = lines(window)
    assert conversations.count() == 12
    assert conversations.points()[0].y() == 0  # April 2025: before the demo year


def test_a_practice_manager_sees_only_their_practice(
    qtbot: QtBot,
    ui_store: Store,
    catalogue: SpecialtyCatalogue,
    targets: ResponseTargets,
    organisation: Organisation,
    settings: QSettings,
) -> None:
    manager = workspace_of(ui_store, DEMO_MANAGER, catalogue, targets)
    window = open_reports(qtbot, manager, organisation, settings)
    year_of(qtbot, window)
    assert not window.choices.place.isVisible()
    choose(qtbot, window, "breakdown", Dimension.PRACTICE.value)
    assert [r["practice"] for r in shown(window).records] == [manager.user.practice_code]
    assert "BAY001" in window.windowTitle()
    with ui_store.read_session() as session:
        theirs = session.scalars(
            select(Conversation.id).where(
                Conversation.practice_code == manager.user.practice_code,
                Conversation.status != "draft",
            )
        ).all()
    dialog = window.drill_down(0, column_of(window, "practice"))
    assert dialog is not None and 0 < dialog.count <= len(theirs)
    listed = {dialog.model.conversation_id(row) for row in range(dialog.count)}  # type: ignore[union-attr]
    assert listed <= set(theirs)


def test_drilling_down_lists_as_many_conversations_as_the_figure(
    qtbot: QtBot, admin_reports: ReportsWindow
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.NETWORK.value)
    report = window.report
    assert report is not None
    for key in ("conversations", "referrals_avoided", "within_target"):
        column = column_of(window, key)
        window.table.setCurrentIndex(window.model.index(1, column))
        qtbot.keyClick(window.table, Qt.Key.Key_Return)
        dialog = window.drill
        assert dialog is not None
        assert dialog.count == report.records[1][key]
        assert dialog.count_label.text().startswith(f"{dialog.count:,} conversation")
        dialog.close()
    dialog = window.drill_down(0, column_of(window, "referrals_avoided"))
    assert dialog is not None and dialog.table is not None
    with qtbot.waitSignal(window.conversation_requested) as opened:
        dialog.table.doubleClicked.emit(dialog.model.index(0, 0))  # type: ignore[union-attr]
    assert opened.args == [dialog.model.conversation_id(0)]  # type: ignore[union-attr]


def test_a_figure_of_nothing_drills_down_to_an_empty_list(
    qtbot: QtBot, admin_reports: ReportsWindow
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)
    report = window.report
    assert report is not None
    row, key = next(
        (row, key)
        for row, record in enumerate(report.records)
        for key in ("conversions", "overdue_now", "referrals_avoided")
        if record[key] == 0
    )
    dialog = window.drill_down(row, column_of(window, key))
    assert dialog is not None and dialog.count == 0 and dialog.table is None
    assert dialog.count_label.text().startswith("0 conversations")


def test_csv_export_reads_back_as_the_table(
    qtbot: QtBot, admin_reports: ReportsWindow, tmp_path: Path
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.ICC.value)
    path = window.export_csv(tmp_path / "report.csv")
    assert path is not None
    rows, about = read_csv(path)
    report = window.report
    assert report is not None
    with path.open(encoding="utf-8-sig", newline="") as back:
        header = next(csv.reader(back))
    seen = [window.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(header))]
    assert header == seen  # the words of the table, "Avoidance rate (%)"
    assert "avoidance_rate" not in header and "Avoidance rate (%)" in header
    assert ["Column", "avoidance_rate", "Avoidance rate (%)", "percent"] in about
    assert list(rows[0]) == list(report.columns)  # mapped back to the machine names
    assert len(rows) == window.model.rowCount()
    for row, record in zip(rows, report.records, strict=True):
        for key in report.columns:
            value = record[key]
            assert row[key] == ("" if value is None else str(value))
    assert ["Breakdown", "ICC"] in about
    assert ["Period from (London date)", "2025-12-01"] in about


def test_pdf_export_opens_with_the_title_assumptions_and_no_patient_details(
    qtbot: QtBot, admin_reports: ReportsWindow, tmp_path: Path, ui_store: Store
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.MONTH.value)
    path = window.export_pdf(tmp_path / "report.pdf")
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    assert document.pageCount() >= 1
    text = " ".join(document.getAllText(page).text() for page in range(document.pageCount()))
    document.close()
    flat = " ".join(text.split())
    assert REPORT_TITLE in flat
    assert "Every practice in Morecambe Bay" in flat
    assert "£160 for each first outpatient attendance avoided" in flat
    assert "1 Dec 2025 to 30 Nov 2026" in flat
    digits = "".join(flat.split())
    with ui_store.read_session() as session:
        numbers = session.scalars(select(Conversation.patient_nhs_number)).all()
        questions = session.scalars(select(Conversation.question)).all()
    assert not [n for n in numbers if n and n in digits]
    assert not [q for q in questions if len(q) > 30 and q[:30] in flat]


def test_the_tariff_changes_the_money_and_its_assumption(
    qtbot: QtBot, admin_reports: ReportsWindow
) -> None:
    window = admin_reports
    [before] = shown(window).records
    window.choices.tariff.setValue(200)
    qtbot.waitUntil(lambda: shown(window).query.assumptions.tariff_pounds == 200)
    settle(qtbot, window)
    [after] = shown(window).records
    assert figure(after, "money_saved") == figure(before, "referrals_avoided") * 200
    assert window.assumptions.isVisible()
    assert "£200 for each first outpatient attendance" in window.assumptions.text.text()
    savings = column_of(window, "money_saved")
    tip = window.model.headerData(savings, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(column_title("money_saved")) and "£200" in tip


def test_only_the_latest_report_asked_for_is_shown(
    qtbot: QtBot, admin_reports: ReportsWindow
) -> None:
    window = admin_reports
    for value in (Dimension.PRACTICE.value, Dimension.SEX.value, Dimension.NETWORK.value):
        window.choices.choose(window.choices.breakdown, value)
        window.run_now()  # each one at once, not waiting for the pause
    settle(qtbot, window)
    assert shown(window).query.group_by == (Dimension.NETWORK,)
    qtbot.wait(100)  # any earlier result still queued is dropped, not shown
    assert shown(window).query.group_by == (Dimension.NETWORK,)


def test_problems_are_said_in_words(
    qtbot: QtBot,
    admin_reports: ReportsWindow,
    monkeypatch: pytest.MonkeyPatch,
    ui_store: Store,
    catalogue: SpecialtyCatalogue,
    targets: ResponseTargets,
    organisation: Organisation,
    tmp_path: Path,
) -> None:
    window = admin_reports
    window.choices.set_period(date(2026, 6, 1), date(2026, 5, 1))
    qtbot.waitUntil(lambda: "must end on or after" in window.status.text())
    assert window.report is None and not window.csv_button.isEnabled()

    def broken(*_: object) -> None:
        raise RuntimeError("database is locked\nTraceback (most recent call last)")

    monkeypatch.setattr(Reports, "run", broken)
    window.choices.set_period(*YEAR)
    qtbot.waitUntil(lambda: "could not be worked out" in window.status.text())
    assert "Traceback" not in window.status.text() and not window.busy

    system = CurrentUser("x", "hub", "The hub", Role.SYSTEM, None, ())
    monkeypatch.undo()
    workspace = Workspace.for_user(ui_store, system, catalogue, targets, lambda: NOW)
    elsewhere = QSettings(str(tmp_path / "system.ini"), QSettings.Format.IniFormat)
    refused = keep(qtbot, ReportsWindow.open_for(None, workspace, organisation, NOW, elsewhere))
    qtbot.waitUntil(lambda: "no reports" in refused.status.text())
    assert refused.report is None


def test_every_control_has_a_name(
    qtbot: QtBot,
    admin_reports: ReportsWindow,
    ui_store: Store,
    catalogue: SpecialtyCatalogue,
    targets: ResponseTargets,
    organisation: Organisation,
    tmp_path: Path,
) -> None:
    choose(qtbot, admin_reports, "breakdown", Dimension.SPECIALTY.value)
    choose(qtbot, admin_reports, "then_by", Dimension.MONTH.value)
    assert unnamed_controls(admin_reports) == set()
    specialist = workspace_of(ui_store, DEMO_SPECIALIST, catalogue, targets)
    theirs = QSettings(str(tmp_path / "specialist.ini"), QSettings.Format.IniFormat)
    window = open_reports(qtbot, specialist, organisation, theirs)
    assert unnamed_controls(window) == set()
    codes = {window.choices.specialty.itemData(i) for i in range(window.choices.specialty.count())}
    assert codes == {"", *specialist.user.specialty_codes}
    dialog = window.drill_down(0, column_of(window, "conversations"))
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert unnamed_controls(dialog) == set()


def test_the_main_window_gets_a_reports_action(
    qtbot: QtBot, admin: Workspace, organisation: Organisation, settings: QSettings
) -> None:
    main = QMainWindow()
    qtbot.addWidget(main)
    add_menu(main, "&View")
    action = add_reports_action(main, admin, organisation, lambda: NOW, settings)
    assert action.shortcut() == QKeySequence("Ctrl+Shift+R") and action.isEnabled()
    menus = [a.text() for a in main.menuBar().actions()]
    assert menus == ["&View"]  # the existing View menu, not a second one
    action.trigger()
    [window] = main.findChildren(ReportsWindow)
    qtbot.waitUntil(lambda: window.report is not None)
    window.close()
    action.trigger()
    assert main.findChildren(ReportsWindow) == [window] and window.isVisible()
    settle(qtbot, window)


def test_the_service_and_the_view_agree(
    qtbot: QtBot, admin_reports: ReportsWindow, admin: Workspace, organisation: Organisation
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.AGE_BAND.value)
    query: ReportQuery = shown(window).query
    expected = Reports(admin.store, organisation, admin.catalogue).run(admin.user, query)
    assert shown(window).records == expected.records


def test_specialist_workload_lists_answers_for_the_same_period(
    qtbot: QtBot, admin_reports: ReportsWindow
) -> None:
    year_of(qtbot, admin_reports)
    dialog = admin_reports.show_workload()
    assert dialog is not None and dialog.isVisible()
    rows = dialog.table.rowCount()
    assert rows > 10
    answers = [int(dialog.table.item(r, 2).text().replace(",", "")) for r in range(rows)]
    assert answers == sorted(answers, reverse=True)
    assert f"{sum(answers):,} answers" in dialog.summary.text()
    assert dialog.table.item(0, 0).text().startswith("Dr ")
    dialog.close()
