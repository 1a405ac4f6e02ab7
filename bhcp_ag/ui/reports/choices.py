"""The bar of choices above a report: period, breakdowns, filters and the tariff.

The bar has two rows, so that it fits a small screen. The period is two London dates
(both included) with presets relative to today, none reaching past it: this month
and this financial year (April to March) so far, the 12 months to today, last month
and last financial year. A report is broken down by up to two dimensions: a breakdown
and, optionally, "then by" another (network then month; age band then sex); "then by"
never offers the first breakdown again.
Filters narrow the report to a specialty, a priority and, for those who report on the
whole Bay, a place: a network, an ICC or a practice
(:class:`~bhcp_ag.ui.reports.place_filter.PlaceFilter`); the scope a role allows is
applied by the service whatever is chosen here. ``changed`` is emitted on every change;
the window waits for a pause before running.

The choices are kept in ``QSettings`` (:meth:`ReportChoices.save`) and brought back
when the view opens again (:meth:`ReportChoices.restore`): a preset stays a preset (the
last 12 months move on with the calendar), chosen dates stay those dates, and a
remembered place or specialty the user may no longer report on (or the Bay no longer
has) is dropped.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import Priority, Role
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import (
    DEFAULT_TARIFF_POUNDS,
    Assumptions,
    Dimension,
    Period,
    ReportQuery,
)
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.ui.reports.place_filter import PlaceFilter


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _month_end(day: date) -> date:
    return _month_start(day, -1) - timedelta(days=1)


def _months_back(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day where it is shorter)."""
    first = _month_start(day, months)
    return min(first + timedelta(days=day.day - 1), _month_end(first))


def _financial_year_start(day: date, years_back: int = 0) -> date:
    return date((day.year if day.month >= 4 else day.year - 1) - years_back, 4, 1)


def _financial_year(day: date, years_back: int = 0) -> Period:
    first = _financial_year_start(day, years_back)
    return Period(first, date(first.year + 1, 3, 31))


# Each preset says what it means relative to today, and none reaches past today: the
# last 12 months end today, "this" month and year run to today.
PRESETS: dict[str, Callable[[date], Period]] = {
    "Last 12 months": lambda d: Period(_months_back(d, 12) + timedelta(days=1), d),
    "This month": lambda d: Period(_month_start(d), d),
    "Last month": lambda d: Period(_month_start(d, 1), _month_end(_month_start(d, 1))),
    "This financial year": lambda d: Period(_financial_year_start(d), d),
    "Last financial year": lambda d: _financial_year(d, 1),
}
"""Named periods, worked out from today's London date."""
CUSTOM = "Chosen dates"
NO_SECOND = "Nothing more"
"""The "then by" choice of no second breakdown."""


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ReportChoices(QWidget):
    """What the report covers; :meth:`query` turns the choices into a ReportQuery."""

    changed = Signal()

    def __init__(
        self,
        user: CurrentUser,
        organisation: Organisation,
        catalogue: SpecialtyCatalogue,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._assumptions = Assumptions.for_organisation(organisation)
        self._today = today
        self._whole_bay = user.role is Role.ADMIN  # others report on their own scope
        self.preset = self._combo("Period", [(name, name) for name in PRESETS] + [(CUSTOM, "")])
        self.first = self._date_edit("First day of the period")
        self.last = self._date_edit("Last day of the period")
        dimensions = [(d.label, d.value) for d in Dimension]
        self.breakdown = self._combo("Break down by", [("No breakdown", "")] + dimensions)
        self.then_by = self._combo("Then break down by", [])
        self.then_by.setToolTip("A second breakdown within the first (network, then month)")
        self._fill_then_by()
        self.specialty = self._combo("Specialty", self._specialties(user, catalogue))
        self.priority = self._combo(
            "Priority", [("All priorities", "")] + [(p.label, p.value) for p in Priority]
        )
        self.place = PlaceFilter(organisation, "Place: whole Bay, network, ICC or practice")
        for long_names in (self.specialty, self.place):  # the list shows them whole
            long_names.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            long_names.setMinimumContentsLength(16)
        self.tariff = QDoubleSpinBox()
        self.tariff.setAccessibleName("Tariff: pounds per first outpatient attendance")
        self.tariff.setPrefix("£")
        self.tariff.setRange(0.0, 10_000.0)
        self.tariff.setDecimals(0)
        self.tariff.setSingleStep(5.0)
        self.tariff.setValue(DEFAULT_TARIFF_POUNDS)
        self.tariff.setToolTip("The price of one first outpatient attendance, for money saved")
        self._lay_out()
        for edit in (self.first, self.last, self.tariff):  # their text boxes, read aloud
            inner = edit.findChild(QLineEdit)
            if inner is not None:
                inner.setAccessibleName(edit.accessibleName())
        self._apply_preset(self.preset.currentText())
        self._connect()

    # --- building ----------------------------------------------------------------------

    def _combo(self, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for text, value in items:
            combo.addItem(text, value)
        return combo

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        return edit

    @staticmethod
    def _specialties(user: CurrentUser, catalogue: SpecialtyCatalogue) -> list[tuple[str, str]]:
        mine = user.specialty_codes if user.role is Role.SPECIALIST else ()
        everyone = "All my specialties" if mine else "All specialties"
        chosen = [s for s in catalogue.all() if not mine or s.tfc_code in mine]
        return [(everyone, "")] + [(s.short_name, s.tfc_code) for s in chosen]

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        fields: list[tuple[str, QWidget]] = [
            ("P&eriod", self.preset),
            ("&From", self.first),
            ("&To", self.last),
            ("&Break down by", self.breakdown),
            ("T&hen by", self.then_by),
            ("&Specialty", self.specialty),
            ("Pri&ority", self.priority),
            ("Pl&ace", self.place),
            ("Tari&ff", self.tariff),
        ]
        if not self._whole_bay:
            fields.remove(("Pl&ace", self.place))
            self.place.setParent(self)
            self.place.hide()
        # Two rows (what and when; which conversations), so that the bar fits a small
        # screen: in one row it alone needed 1,190 pixels.
        across = (len(fields) + 1) // 2
        for at, (text, field) in enumerate(fields):
            label = QLabel(text)
            label.setBuddy(field)
            row, column = divmod(at, across)
            grid.addWidget(label, row * 2, column)
            grid.addWidget(field, row * 2 + 1, column)
        grid.setColumnStretch(across, 1)

    def _connect(self) -> None:
        self.preset.currentTextChanged.connect(self._apply_preset)
        self.first.dateChanged.connect(self._dates_edited)
        self.last.dateChanged.connect(self._dates_edited)
        self.breakdown.currentIndexChanged.connect(self._breakdown_changed)
        for combo in (self.then_by, self.specialty, self.priority, self.place):
            combo.currentIndexChanged.connect(self.changed)
        self.tariff.valueChanged.connect(self.changed)

    def _fill_then_by(self) -> None:
        """Offer every dimension but the first breakdown; keep the choice when it still fits."""
        first = self.breakdown.currentData() or ""
        kept = self.then_by.currentData() or ""
        self.then_by.blockSignals(True)
        self.then_by.clear()
        self.then_by.addItem(NO_SECOND, "")
        for dimension in Dimension:
            if dimension.value != first:
                self.then_by.addItem(dimension.label, dimension.value)
        self.then_by.setCurrentIndex(max(self.then_by.findData(kept), 0) if first else 0)
        self.then_by.setEnabled(bool(first))
        self.then_by.blockSignals(False)

    def _breakdown_changed(self) -> None:
        self._fill_then_by()
        self.changed.emit()

    # --- choosing ----------------------------------------------------------------------

    def _apply_preset(self, name: str) -> None:
        chooser = PRESETS.get(name)
        if chooser is None:
            return
        period = chooser(self._today)
        for edit in (self.first, self.last):
            edit.blockSignals(True)
        self.first.setDate(_qdate(period.first))
        self.last.setDate(_qdate(period.last))
        for edit in (self.first, self.last):
            edit.blockSignals(False)
        self.changed.emit()

    def _dates_edited(self) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findText(CUSTOM))
        self.preset.blockSignals(False)
        self.changed.emit()

    def set_period(self, first: date, last: date) -> None:
        """Choose the dates (as the user would, in the date boxes)."""
        self.first.setDate(_qdate(first))
        self.last.setDate(_qdate(last))

    def choose(self, combo: QComboBox, value: str) -> None:
        """Pick the item of ``combo`` whose value is ``value`` ("" for all or none)."""
        index = combo.findData(value)
        if index < 0:
            raise KeyError(value)
        combo.setCurrentIndex(index)

    def period(self) -> Period:
        """The chosen period; raises ValueError when it ends before it starts."""
        return Period(_date(self.first.date()), _date(self.last.date()))

    def query(self, now: datetime) -> ReportQuery:
        """The chosen report as seen at ``now`` (raises ValueError for a backwards period)."""
        breakdowns = (self.breakdown.currentData(), self.then_by.currentData())
        specialty, priority = self.specialty.currentData(), self.priority.currentData()
        tariff = self.tariff.value()
        return ReportQuery(
            period=self.period(),
            now=now,
            group_by=tuple(Dimension(value) for value in breakdowns if value),
            practice_codes=self.place.practice_codes() if self._whole_bay else (),
            specialty_codes=(specialty,) if specialty else (),
            priorities=(priority,) if priority else (),
            assumptions=dataclasses.replace(self._assumptions, tariff_pounds=tariff),
        )

    def filters_text(self) -> str:
        """The filters chosen, in words ("Specialty: Dermatology; Place: Kendal ICC (South
        Lakeland)")."""
        chosen = [
            f"{name}: {combo.currentText()}"
            for name, combo in (("Specialty", self.specialty), ("Priority", self.priority))
            if combo.currentData()
        ]
        if self._whole_bay and self.place.key():
            chosen.append(f"Place: {self.place.place().label}")
        return "; ".join(chosen) or "None"

    # --- remembering -------------------------------------------------------------------

    def save(self, settings: QSettings) -> None:
        """Keep the choices for the next time the view opens."""
        settings.setValue(f"{KEY}/period", self.preset.currentText())
        settings.setValue(f"{KEY}/first", _date(self.first.date()).isoformat())
        settings.setValue(f"{KEY}/last", _date(self.last.date()).isoformat())
        for name in ("breakdown", "then_by", "specialty", "priority"):
            combo: QComboBox = getattr(self, name)
            settings.setValue(f"{KEY}/{name}", combo.currentData() or "")
        settings.setValue(f"{KEY}/place", self.place.key())
        settings.setValue(f"{KEY}/tariff", self.tariff.value())

    def restore(self, settings: QSettings) -> None:
        """Bring back the choices kept by :meth:`save`, without emitting ``changed``.

        Anything no longer on offer is dropped silently: a specialty outside a
        specialist's own, a place for anyone who does not report on the whole Bay, a
        network, ICC or practice the organisation no longer has. The scope is never
        widened by a setting.
        """

        def text(name: str) -> str:
            value = settings.value(f"{KEY}/{name}", "")
            return value if isinstance(value, str) else ""

        self.blockSignals(True)
        try:
            self._restore_period(text("period"), text("first"), text("last"))
            _pick(self.breakdown, text("breakdown"))
            self._fill_then_by()
            _pick(self.then_by, text("then_by"))
            _pick(self.specialty, text("specialty"))
            _pick(self.priority, text("priority"))
            if self._whole_bay:
                self.place.choose_key(text("place"))
            self.tariff.setValue(_number(settings.value(f"{KEY}/tariff"), DEFAULT_TARIFF_POUNDS))
        finally:
            self.blockSignals(False)

    def _restore_period(self, preset: str, first: str, last: str) -> None:
        if preset in PRESETS:
            self.preset.setCurrentText(preset)  # worked out again from today
            return
        if preset != CUSTOM:
            return
        try:
            period = Period(date.fromisoformat(first), date.fromisoformat(last))
        except ValueError:
            return  # not dates (or backwards): the default period stays
        self.set_period(period.first, period.last)


KEY = "reports"
"""The ``QSettings`` group of the Reports view's choices."""


def _pick(combo: QComboBox, value: str) -> None:
    """Choose ``value`` in ``combo`` when it is offered; otherwise leave the choice alone."""
    index = combo.findData(value)
    if value and index >= 0:
        combo.setCurrentIndex(index)


def _number(value: object, default: float) -> float:
    try:
        number = float(str(value)) if value is not None else default
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def london_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()
