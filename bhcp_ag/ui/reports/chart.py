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
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QHelpEvent,
    QImage,
    QPainter,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGraphicsScene,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.metrics import BY_KEY, MEASURES, Unit
from bhcp_ag.services.reports import Report
from bhcp_ag.ui.reports.chart_data import ChartData, ChartKind, chart_data
from bhcp_ag.ui.reports.figures import figure_text, measure_title
from bhcp_ag.ui.theme import palette, system_is_dark

DEFAULT_CHOICE: tuple[str, ...] = ("conversations", "referrals_avoided")
"""Charted until another measure is chosen."""
MINIMUM_CHART = QSize(300, 220)
"""The smallest the chart is drawn beside the table (it scrolls rather than shrink)."""
LABEL_ROOM = 220
"""The widest a group's name is drawn beside its bars, in pixels; a longer one is cut
short, and shown whole when the pointer rests on its bars or its name."""
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
    groups.append(axis_labels(list(reversed(data.categories)), groups.labelsFont()))
    groups.setTruncateLabels(False)  # room is made for each name: never a bare "…"
    _attach(chart, [series], groups, Qt.AlignmentFlag.AlignLeft)
    _attach(chart, [series], _value_axis(data.keys, _highest(data)), Qt.AlignmentFlag.AlignBottom)


def axis_labels(names: Sequence[str], font: QFont, room: int = LABEL_ROOM) -> list[str]:
    """``names`` as drawn beside their bars: whole unless wider than ``room`` pixels,
    then cut short with "…", and kept distinct (an axis drops a repeated category)."""
    metrics = QFontMetrics(font)
    seen: set[str] = set()
    labels = []
    for name in names:
        label = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
        while label in seen:
            label += "\u200b"  # a zero-width space: looks the same, counts as another
        seen.add(label)
        labels.append(label)
    return labels


def bars_height(data: ChartData, font: QFont) -> int:
    """The height a bar chart needs for a line of type beside each group's bars."""
    per_group = max(QFontMetrics(font).height() + 8, 7 * len(data.series) + 6)
    return 150 + per_group * len(data.categories)


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
    font = QFont(chart.font())
    font.setPointSizeF(PRINTED_POINTS["labels"])
    wanted = 420.0 if data.kind is ChartKind.LINES else max(420.0, bars_height(data, font))
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
    """The chart beside the table, with a menu of the measures to chart.

    A bar chart grows to give each group's name a line (scrolling when that is taller
    than the room beside the table); resting the pointer on a group's bars or name
    shows its whole name and figures.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: Report | None = None
        self._data: ChartData | None = None
        self.measure = QComboBox()
        self.measure.setAccessibleName("Measure to chart")
        self.measure.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.measure.setMinimumContentsLength(12)
        for text, keys in chart_choices():
            self.measure.addItem(text, keys)
        label = QLabel("&Chart:")
        label.setBuddy(self.measure)
        self.view = QChartView()
        self.view.setAccessibleName("Report chart")
        self.view.viewport().setAccessibleName("Report chart")
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumSize(MINIMUM_CHART)
        self.view.viewport().installEventFilter(self)
        self.area = QScrollArea()
        self.area.setAccessibleName("Report chart area")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setWidget(self.view)
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
        layout.addWidget(self.area, 1)
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
        self._data = data
        self.note.setText(data.note if data is not None else "")
        self.note.setVisible(bool(self.note.text()))
        old = self.view.chart()
        self.view.setChart(chart if chart is not None else QChart())
        if old is not None:
            old.deleteLater()  # a chart set on a view is the view's to delete, not replaced
        tall = data is not None and data.kind is ChartKind.BARS
        font = self.view.chart().font()
        height = bars_height(data, font) if tall and data is not None else 0
        self.view.setMinimumHeight(max(MINIMUM_CHART.height(), height))

    def chart(self) -> QChart:
        return self.view.chart()

    def tip_at(self, where: QPoint) -> str:
        """What resting the pointer at ``where`` (in the chart view) shows: the whole name
        of the group whose bars or name are there, and its figures; "" elsewhere."""
        data = self._data
        if data is None or data.kind is not ChartKind.BARS or not data.categories:
            return ""
        chart = self.view.chart()
        area = chart.plotArea()
        point = chart.mapFromScene(self.view.mapToScene(where))
        if not (area.top() <= point.y() < area.bottom()) or point.x() > area.right():
            return ""
        index = int((point.y() - area.top()) * len(data.categories) / area.height())
        measures = [BY_KEY[key] for key in data.keys]
        figures = "; ".join(
            f"{one.name}: {figure_text(measures[0 if data.by_group else at], one.values[index])}"
            for at, one in enumerate(data.series)
        )
        return f"{data.categories[index]} — {figures}"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            text = self.tip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.view.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)
