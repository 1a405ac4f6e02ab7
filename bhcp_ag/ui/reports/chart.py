"""A report's chart: a trend by month (lines) or a comparison between groups (bars).

:func:`build_chart` makes the ``QChart`` of chosen measures for a report broken down by
one dimension: by month, a line per measure with a point for every month of the period
(a month with no requests counts nothing, so counts, miles and pounds are 0 there; a
rate of nothing is left out); by anything else, a horizontal bar per group. A report
with no breakdown has no chart. :class:`ReportChart` shows it beside the table with a
choice of measures, and follows the light or dark scheme; :func:`chart_image` draws it
on white for the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractAxis,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsScene,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.metrics import BY_KEY, MEASURES, Unit
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.services.reports import Report
from bhcp_ag.ui.reports.figures import group_name, group_text, measure_title
from bhcp_ag.ui.theme import palette, system_is_dark

DEFAULT_CHOICE: tuple[str, ...] = ("conversations", "referrals_avoided")
"""Charted until another measure is chosen."""
_ZERO_WHEN_ABSENT = frozenset({Unit.COUNT, Unit.MILES, Unit.POUNDS})


def chart_choices() -> list[tuple[str, tuple[str, ...]]]:
    """(label, measure keys) for the chart's measure menu, the default first."""
    both = " and ".join(BY_KEY[key].label.lower() for key in DEFAULT_CHOICE).capitalize()
    return [(both, DEFAULT_CHOICE)] + [(measure_title(m), (m.key,)) for m in MEASURES]


def chart_title(report: Report, keys: Sequence[str]) -> str:
    what = " and ".join(BY_KEY[key].label.lower() for key in keys).capitalize()
    return f"{what} by {report.query.group_by[0].label.lower()}"


def is_trend(report: Report) -> bool:
    return report.query.group_by == (Dimension.MONTH,)


def build_chart(report: Report, keys: Sequence[str], dark: bool) -> QChart | None:
    """The chart of ``keys`` for ``report``; None for a report without a breakdown."""
    if not report.query.group_by or not report.records:
        return None
    chart = QChart()
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
    colours = palette(dark)
    chart.setBackgroundBrush(colours.color(colours.ColorRole.Base))
    chart.setTitleBrush(colours.color(colours.ColorRole.Text))
    chart.setTitle(chart_title(report, keys))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.legend().setLabelColor(colours.color(colours.ColorRole.Text))
    if is_trend(report):
        _add_lines(chart, report, keys)
    else:
        _add_bars(chart, report, keys)
    for axis in chart.axes():
        axis.setLabelsColor(colours.color(colours.ColorRole.Text))
        axis.setTitleBrush(colours.color(colours.ColorRole.Text))
    return chart


def _value_axis(keys: Sequence[str], highest: float) -> QValueAxis:
    axis = QValueAxis()
    units = {BY_KEY[key].unit for key in keys}
    axis.setTitleText(measure_title(BY_KEY[keys[0]]) if len(units) == 1 and len(keys) == 1 else "")
    axis.setRange(0, max(highest * 1.1, 1.0))
    axis.applyNiceNumbers()  # round ticks: 0, 10, 20 rather than 0, 13, 25
    axis.setLabelFormat("%.0f" if units <= {Unit.COUNT, Unit.MILES, Unit.POUNDS} else "%.1f")
    return axis


def _add_lines(chart: QChart, report: Report, keys: Sequence[str]) -> None:
    by_month = {str(record.get("month")): record for record in report.records}
    months = [month for month, _ in report.query.period.months()]
    highest = 0.0
    lines = []
    for key in keys:
        line = QLineSeries()
        line.setName(BY_KEY[key].label)
        line.setPointsVisible(True)
        for x, month in enumerate(months):
            value = by_month.get(month, {}).get(key)
            if value is None and month not in by_month and BY_KEY[key].unit in _ZERO_WHEN_ABSENT:
                value = 0.0
            if isinstance(value, int | float):
                line.append(QPointF(x, float(value)))
                highest = max(highest, float(value))
        chart.addSeries(line)
        lines.append(line)
    months_axis = QBarCategoryAxis()
    months_axis.append([group_text(Dimension.MONTH, month) for month in months])
    _attach(chart, lines, months_axis, Qt.AlignmentFlag.AlignBottom)
    _attach(chart, lines, _value_axis(keys, highest), Qt.AlignmentFlag.AlignLeft)


def _add_bars(chart: QChart, report: Report, keys: Sequence[str]) -> None:
    group_by = report.query.group_by
    # Horizontal bars list the first group at the top, so they are added bottom up.
    records = list(reversed(report.records))
    series = QHorizontalBarSeries()
    highest = 0.0
    for key in keys:
        bars = QBarSet(BY_KEY[key].label)
        for record in records:
            value = record.get(key)
            number = float(value) if isinstance(value, int | float) else 0.0
            bars.append(number)
            highest = max(highest, number)
        series.append(bars)
    chart.addSeries(series)
    groups = QBarCategoryAxis()
    groups.append([group_name(group_by, record) for record in records])
    _attach(chart, [series], groups, Qt.AlignmentFlag.AlignLeft)
    _attach(chart, [series], _value_axis(keys, highest), Qt.AlignmentFlag.AlignBottom)


def _attach(chart: QChart, series: list, axis: QAbstractAxis, where: Qt.AlignmentFlag) -> None:
    chart.addAxis(axis, where)
    for one in series:
        one.attachAxis(axis)


def chart_image(report: Report, keys: Sequence[str], width: int = 1400) -> QImage | None:
    """The chart drawn on white (the light scheme), for printing; None without a chart.

    Drawn from a scene rather than a view: a view never shown is never laid out.
    """
    chart = build_chart(report, keys, dark=False)
    if chart is None:
        return None
    bars = 0 if is_trend(report) else len(report.records) * len(keys)
    height = min(920, max(700, 160 + 9 * bars))  # room for the groups, within a page
    scene = QGraphicsScene()
    scene.addItem(chart)  # the scene owns the chart now, and deletes it with itself
    chart.resize(QSizeF(width, height))
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, QRectF(0, 0, width, height), QRectF(0, 0, width, height))
    finally:
        painter.end()
    return image


class ReportChart(QWidget):
    """The chart beside the table, with a menu of the measures to chart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: Report | None = None
        self.measure = QComboBox()
        self.measure.setAccessibleName("Measure to chart")
        for text, keys in chart_choices():
            self.measure.addItem(text, keys)
        label = QLabel("&Chart:")
        label.setBuddy(self.measure)
        self.view = QChartView()
        self.view.setAccessibleName("Report chart")
        self.view.viewport().setAccessibleName("Report chart")
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumSize(360, 260)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.measure, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.measure.currentIndexChanged.connect(self._redraw)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._redraw)

    @property
    def keys(self) -> tuple[str, ...]:
        """The measures charted now."""
        return tuple(self.measure.currentData() or DEFAULT_CHOICE)

    def show_report(self, report: Report | None) -> None:
        self._report = report
        self._redraw()

    def _redraw(self) -> None:
        chart = None
        if self._report is not None:
            chart = build_chart(self._report, self.keys, system_is_dark())
        old = self.view.chart()
        self.view.setChart(chart if chart is not None else QChart())
        if old is not None:
            old.deleteLater()  # a chart set on a view is the view's to delete, not replaced

    def chart(self) -> QChart:
        return self.view.chart()
