"""A report's chart: a trend by month (lines) or a comparison between groups (bars).

:func:`build_chart` draws the ``QChart`` of chosen measures that
:func:`~bhcp_ag.ui.reports.chart_data.chart_data` works out for a report: lines across
the months, or horizontal bars between groups; with two breakdowns, a line or a set of
bars per group, in colours told apart (a note says when some groups were left out). A
report with no breakdown has no chart. :class:`ReportChart` shows it beside the table
with a choice of measures, and follows the light or dark scheme; :func:`chart_image`
draws it on white for the PDF.
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
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsScene,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.metrics import BY_KEY, MEASURES, Unit
from bhcp_ag.services.reports import Report
from bhcp_ag.ui.reports.chart_data import ChartData, ChartKind, chart_data
from bhcp_ag.ui.reports.figures import measure_title
from bhcp_ag.ui.theme import palette, system_is_dark

DEFAULT_CHOICE: tuple[str, ...] = ("conversations", "referrals_avoided")
"""Charted until another measure is chosen."""
GROUP_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#8C8C8C",
    "#B8A100",
)
"""A line or set of bars per group: the Okabe-Ito colours, told apart with colour-blindness
(the chart themes have only five colours, and repeat them)."""


def chart_choices() -> list[tuple[str, tuple[str, ...]]]:
    """(label, measure keys) for the chart's measure menu, the default first."""
    both = " and ".join(BY_KEY[key].label.lower() for key in DEFAULT_CHOICE).capitalize()
    return [(both, DEFAULT_CHOICE)] + [(measure_title(m), (m.key,)) for m in MEASURES]


def build_chart(report: Report, keys: Sequence[str], dark: bool) -> QChart | None:
    """The chart of ``keys`` for ``report``; None for a report without a breakdown."""
    data = chart_data(report, keys)
    return draw_chart(data, dark) if data is not None else None


def draw_chart(data: ChartData, dark: bool) -> QChart:
    """``data`` drawn in the light or dark scheme."""
    chart = QChart()
    chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
    colours = palette(dark)
    chart.setBackgroundBrush(colours.color(colours.ColorRole.Base))
    chart.setTitleBrush(colours.color(colours.ColorRole.Text))
    chart.setTitle(data.title)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.legend().setLabelColor(colours.color(colours.ColorRole.Text))
    if data.kind is ChartKind.LINES:
        _add_lines(chart, data)
    else:
        _add_bars(chart, data)
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


def _highest(data: ChartData) -> float:
    return max((v for one in data.series for v in one.values if v is not None), default=0.0)


def _add_lines(chart: QChart, data: ChartData) -> None:
    lines = []
    for index, one in enumerate(data.series):
        line = QLineSeries()
        line.setName(one.name)
        line.setPointsVisible(True)
        if data.by_group:
            pen = line.pen()
            pen.setColor(QColor(GROUP_COLOURS[index % len(GROUP_COLOURS)]))
            pen.setWidthF(2.0)
            line.setPen(pen)
        for x, value in enumerate(one.values):
            if value is not None:
                line.append(QPointF(x, value))
        chart.addSeries(line)
        lines.append(line)
    months_axis = QBarCategoryAxis()
    months_axis.append(list(data.categories))
    if len(data.categories) > 6:  # "Dec 2025" whole, upright, rather than "Dec..."
        months_axis.setLabelsAngle(-90)
        months_axis.setTruncateLabels(False)
    _attach(chart, lines, months_axis, Qt.AlignmentFlag.AlignBottom)
    _attach(chart, lines, _value_axis(data.keys, _highest(data)), Qt.AlignmentFlag.AlignLeft)


def _add_bars(chart: QChart, data: ChartData) -> None:
    # Horizontal bars list the first group at the top, so they are added bottom up.
    series = QHorizontalBarSeries()
    for index, one in enumerate(data.series):
        bars = QBarSet(one.name)
        if data.by_group:
            bars.setColor(QColor(GROUP_COLOURS[index % len(GROUP_COLOURS)]))
        bars.append([value or 0.0 for value in reversed(one.values)])
        series.append(bars)
    chart.addSeries(series)
    groups = QBarCategoryAxis()
    groups.append(list(reversed(data.categories)))
    _attach(chart, [series], groups, Qt.AlignmentFlag.AlignLeft)
    _attach(chart, [series], _value_axis(data.keys, _highest(data)), Qt.AlignmentFlag.AlignBottom)


def _attach(chart: QChart, series: list, axis: QAbstractAxis, where: Qt.AlignmentFlag) -> None:
    chart.addAxis(axis, where)
    for one in series:
        one.attachAxis(axis)


PRINTED_POINTS = {"labels": 9.0, "title": 12.0, "legend": 9.0}
"""The chart's type sizes on paper, as large as the printed report's text or larger."""


def _printed_fonts(chart: QChart) -> None:
    font = QFont(chart.titleFont())
    font.setPointSizeF(PRINTED_POINTS["title"])
    chart.setTitleFont(font)
    font = QFont(chart.legend().font())
    font.setPointSizeF(PRINTED_POINTS["legend"])
    chart.legend().setFont(font)
    for axis in chart.axes():
        font = QFont(axis.labelsFont())
        font.setPointSizeF(PRINTED_POINTS["labels"])
        axis.setLabelsFont(font)
        axis.setTitleFont(font)


def chart_image(
    report: Report, keys: Sequence[str], room: QSizeF, sharpness: float = 3.0
) -> QImage | None:
    """The chart drawn on white (the light scheme) for printing, at most ``room`` (in
    points at 96 to the inch) and at the size it will print, so its type sizes
    (:data:`PRINTED_POINTS`) are the sizes on paper; ``sharpness`` pixels to each
    point. None without a chart.

    Drawn from a scene rather than a view: a view never shown is never laid out.
    """
    data = chart_data(report, keys)
    if data is None:
        return None
    chart = draw_chart(data, dark=False)
    _printed_fonts(chart)
    bars = 0 if data.kind is ChartKind.LINES else len(data.categories) * len(data.series)
    categories = len(data.categories)
    wanted = max(420.0, 140.0 + max(9.0 * bars, 22.0 * categories))  # a label a category
    size = QSizeF(room.width(), min(room.height(), wanted))
    scene = QGraphicsScene()
    scene.addItem(chart)  # the scene owns the chart now, and deletes it with itself
    chart.resize(size)
    image = QImage((size * sharpness).toSize(), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(sharpness)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(QPointF(0, 0), size)
        scene.render(painter, area, area)
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
        self.note = QLabel()
        self.note.setAccessibleName("About the chart")
        self.note.setWordWrap(True)
        self.note.hide()
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.measure, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        self.measure.currentIndexChanged.connect(self._redraw)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._redraw)

    @property
    def keys(self) -> tuple[str, ...]:
        """The measures charted now."""
        return tuple(self.measure.currentData() or DEFAULT_CHOICE)

    def show_report(self, report: Report | None) -> None:
        self._report = report
        self._redraw()

    def choose_keys(self, keys: Sequence[str]) -> None:
        """Chart ``keys`` when the measure menu offers them (as a remembered choice)."""
        wanted = tuple(keys)
        for index in range(self.measure.count()):
            if tuple(self.measure.itemData(index)) == wanted:
                self.measure.setCurrentIndex(index)
                return

    def _redraw(self) -> None:
        data = chart_data(self._report, self.keys) if self._report is not None else None
        chart = draw_chart(data, system_is_dark()) if data is not None else None
        self.note.setText(data.note if data is not None else "")
        self.note.setVisible(bool(self.note.text()))
        old = self.view.chart()
        self.view.setChart(chart if chart is not None else QChart())
        if old is not None:
            old.deleteLater()  # a chart set on a view is the view's to delete, not replaced

    def chart(self) -> QChart:
        return self.view.chart()
