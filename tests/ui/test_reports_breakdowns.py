"""Two breakdowns in the Reports view: the "then by" choice, table, chart, drill-down, export.

Network then month, specialty then priority, age band then sex: a row per pair of groups,
a column per dimension, a chart that stays readable, and exports with both columns.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import cast

from PySide6.QtCharts import QBarCategoryAxis, QHorizontalBarSeries
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.services.reports import Reports, read_csv
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import Conversation
from bhcp_ag.ui.reports.chart_data import MAX_CATEGORIES, MAX_SERIES
from bhcp_ag.ui.reports.window import ReportsWindow

from .test_reports_view import (
    admin,  # noqa: F401  (a fixture)
    admin_reports,  # noqa: F401  (a fixture)
    choose,
    column_of,
    figure,
    kept_until_teardown,  # noqa: F401  (an autouse fixture)
    lines,
    shown,
    table_texts,
)


def offered(window: ReportsWindow) -> list[str]:
    then_by = window.choices.then_by
    return [then_by.itemData(index) for index in range(then_by.count())]


def bars(window: ReportsWindow) -> QHorizontalBarSeries:
    [series] = window.chart.chart().series()
    assert isinstance(series, QHorizontalBarSeries)
    return series


def bar_groups(window: ReportsWindow) -> list[str]:
    """The groups along the bar chart's axis, top first."""
    [axis] = [a for a in window.chart.chart().axes() if isinstance(a, QBarCategoryAxis)]
    return list(reversed(cast(QBarCategoryAxis, axis).categories()))


def test_then_by_never_offers_the_first_breakdown(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
) -> None:
    window = admin_reports
    choices = window.choices
    assert not choices.then_by.isEnabled()  # nothing to break down further yet
    choose(qtbot, window, "breakdown", Dimension.NETWORK.value)
    assert choices.then_by.isEnabled()
    assert offered(window) == [""] + [d.value for d in Dimension if d is not Dimension.NETWORK]
    choose(qtbot, window, "then_by", Dimension.MONTH.value)
    assert shown(window).query.group_by == (Dimension.NETWORK, Dimension.MONTH)

    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)  # "then by" month stays
    assert shown(window).query.group_by == (Dimension.SPECIALTY, Dimension.MONTH)
    choose(qtbot, window, "breakdown", Dimension.MONTH.value)  # month twice: not offered
    assert Dimension.MONTH.value not in offered(window)
    assert choices.then_by.currentData() == ""
    assert shown(window).query.group_by == (Dimension.MONTH,)
    choose(qtbot, window, "breakdown", "")
    assert not choices.then_by.isEnabled() and shown(window).query.group_by == ()


def test_the_table_has_a_column_per_breakdown_and_a_row_per_pair(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
    admin: Workspace,  # noqa: F811
    organisation: Organisation,
    qtmodeltester: ModelTester,
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.AGE_BAND.value)
    choose(qtbot, window, "then_by", Dimension.SEX.value)
    report = shown(window)
    expected = Reports(admin.store, organisation, admin.catalogue).run(admin.user, report.query)
    assert report.records == expected.records and len(report.records) > 6
    qtmodeltester.check(window.model)
    assert report.columns[:2] == ("age_band", "sex")
    texts = table_texts(window)
    sexes = {row[column_of(window, "sex")] for row in texts}
    assert sexes <= {"Female", "Male", "Other", "—"} and len(sexes) >= 2
    assert [(row[0], row[1].lower()) for row in texts] == list(report.groups)


def test_month_as_a_breakdown_draws_a_line_per_group_of_the_other(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.NETWORK.value)
    choose(qtbot, window, "then_by", Dimension.MONTH.value)
    report = shown(window)
    series = lines(window)
    networks = sorted({group[0] for group in report.groups})
    assert [one.name() for one in series] == networks and len(networks) == 3
    assert all(one.count() == 12 for one in series)  # a point a month, none missing
    totals: dict[str, float] = defaultdict(float)
    for group, record in zip(report.groups, report.records, strict=True):
        totals[group[0]] += figure(record, "conversations")
    assert {one.name(): sum(p.y() for p in one.points()) for one in series} == totals
    assert len({one.pen().color().name() for one in series}) == 3  # told apart
    assert "one measure" in window.chart.note.text()  # of the two chosen, conversations

    choose(qtbot, window, "breakdown", Dimension.MONTH.value)  # month first: the same
    choose(qtbot, window, "then_by", Dimension.PRACTICE.value)
    series = lines(window)
    busiest: dict[str, float] = defaultdict(float)
    for record in shown(window).records:
        busiest[str(record["practice_name"])] += figure(record, "conversations")
    assert len(series) == MAX_SERIES < len(busiest)
    drawn = {one.name() for one in series}  # practices by name, not "BAY002"
    assert min(busiest[name] for name in drawn) >= max(
        total for name, total in busiest.items() if name not in drawn
    )
    assert len({one.pen().color().name() for one in series}) == MAX_SERIES  # all told apart
    assert f"Showing the {MAX_SERIES} practices with the most conversations" in (
        window.chart.note.text()
    )


def test_two_breakdowns_without_month_draw_grouped_bars(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.AGE_BAND.value)
    choose(qtbot, window, "then_by", Dimension.SEX.value)
    window.chart.measure.setCurrentIndex(window.chart.measure.findText("Referrals avoided"))
    series = bars(window)
    assert [one.label() for one in series.barSets()] == ["Female", "Male"]
    bands = bar_groups(window)
    assert bands == ["0-4", "5-17", "18-39", "40-64", "65-79", "80+"]  # youngest first
    report = shown(window)
    female = {
        g[0]: r for g, r in zip(report.groups, report.records, strict=True) if g[1] == "female"
    }
    women = series.barSets()[0]
    drawn = {band: women.at(len(bands) - 1 - top) for top, band in enumerate(bands)}
    assert drawn == {band: figure(female[band], "referrals_avoided") for band in bands}
    assert not window.chart.note.isVisibleTo(window.chart)

    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)
    choose(qtbot, window, "then_by", Dimension.PRIORITY.value)
    specialties = {group[0] for group in shown(window).groups}
    series = bars(window)
    assert {one.label() for one in series.barSets()} <= {"Routine", "Urgent", "Two-week wait"}
    assert all(one.count() == MAX_CATEGORIES < len(specialties) for one in series.barSets())
    assert window.chart.note.isVisibleTo(window.chart)
    assert (
        f"Showing the {MAX_CATEGORIES} specialties with the most conversations, "
        f"of {len(specialties)}" in window.chart.note.text()
    )
    assert "Dermatology" in bar_groups(window)  # by name, not "330"


def test_a_figure_of_two_breakdowns_drills_down_to_its_pair_of_groups(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.NETWORK.value)
    choose(qtbot, window, "then_by", Dimension.PRIORITY.value)
    report = shown(window)
    row = max(range(len(report.records)), key=lambda r: figure(report.records[r], "conversations"))
    for key in ("conversations", "referrals_avoided"):
        dialog = window.drill_down(row, column_of(window, key))
        assert dialog is not None and dialog.count == report.records[row][key]
        network, priority = report.groups[row]
        assert network in dialog.windowTitle() and priority.capitalize() in dialog.windowTitle()
        dialog.close()


def test_exports_carry_both_breakdown_columns(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
    tmp_path: Path,
) -> None:
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.NETWORK.value)
    choose(qtbot, window, "then_by", Dimension.MONTH.value)
    report = shown(window)
    path = window.export_csv(tmp_path / "report.csv")
    assert path is not None
    rows, about = read_csv(path)
    assert [(r["network"], r["month"]) for r in rows] == list(report.groups)
    assert ["Breakdown", "Network, then month"] in about
    assumptions = [row for row in about if row[0] == "Assumption"]
    assert [
        "Assumption",
        "Money not spent",
        "£160 for each first outpatient attendance avoided.",
    ] in (assumptions)

    pdf = window.export_pdf(tmp_path / "report.pdf")
    assert pdf is not None
    document = QPdfDocument()
    assert document.load(str(pdf)) == QPdfDocument.Error.None_
    text = " ".join(document.getAllText(page).text() for page in range(document.pageCount()))
    document.close()
    flat = " ".join(text.split())
    assert "Breakdown: Network, then month" in flat
    assert "Network Month Convers" in flat  # the table's first headers (wrapped)
    assert "Furness Peninsula Dec 2025" in flat  # a row's two groups
    assert "Conversations by network and month" in flat  # the chart's title


def test_by_specialty_the_table_counts_whether_the_advice_was_useful(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
    admin: Workspace,  # noqa: F811
) -> None:
    """The GPs' answers on closing ("was the advice useful?"), counted per specialty, as
    a manager reads them: the table's own headings, the store's own rows."""
    window = admin_reports
    choose(qtbot, window, "breakdown", Dimension.SPECIALTY.value)
    report = shown(window)
    start, end = report.query.period.bounds()
    with admin.store.read_session() as session:
        rows = session.execute(
            select(Conversation.specialty_code, Conversation.advice_useful)
            .where(Conversation.submitted_at >= start, Conversation.submitted_at < end)
            .where(Conversation.status != "draft")
        ).all()
    expected: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, answer in rows:
        if answer:
            expected[code][answer] += 1
    headings = [
        window.model.headerData(i, Qt.Orientation.Horizontal)
        for i in range(window.model.columnCount())
    ]
    assert "Advice useful rate (%)" in headings and "Advice useful: partly" in headings
    answered = 0
    for record in report.records:
        code = str(record["specialty"])
        counts = expected.get(code, {})
        assert figure(record, "useful_yes") == counts.get("yes", 0), code
        assert figure(record, "useful_partly") == counts.get("partly", 0), code
        assert figure(record, "useful_no") == counts.get("no", 0), code
        answered += int(figure(record, "useful_answered"))
    assert answered > 100  # the demo year's GPs answered it
