"""The Reports view remembers its choices and geometry, and never widens the scope with them.

Each test keeps the view's settings in its own folder (the ``settings`` fixture), closes
a window and opens another on the same settings, as the user would the next day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import DEFAULT_TARIFF_POUNDS, Dimension, Period
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.db import Store
from bhcp_ag.store.reference import DEMO_MANAGER, DEMO_SPECIALIST
from bhcp_ag.ui.reports.choices import CUSTOM, PRESETS

from .test_reports_view import (
    admin,  # noqa: F401  (a fixture)
    choose,
    kept_until_teardown,  # noqa: F401  (an autouse fixture)
    open_reports,
    settle,
    shown,
    workspace_of,
)


def test_the_choices_and_geometry_come_back_next_time(
    qtbot: QtBot,
    admin: Workspace,  # noqa: F811
    organisation: Organisation,
    settings: QSettings,
) -> None:
    window = open_reports(qtbot, admin, organisation, settings)
    window.choices.preset.setCurrentText("Last financial year")
    choose(qtbot, window, "breakdown", Dimension.NETWORK.value)
    choose(qtbot, window, "then_by", Dimension.MONTH.value)
    choose(qtbot, window, "specialty", "330")
    choose(qtbot, window, "priority", "URGENT")
    choose(qtbot, window, "place", "network:SL")
    window.choices.tariff.setValue(185)
    window.chart.measure.setCurrentIndex(window.chart.measure.findText("Avoidance rate (%)"))
    settle(qtbot, window)
    asked = shown(window).query
    window.resize(window.width(), 640)  # not the first height (760, or 90% of the screen)
    window.close()

    again = open_reports(qtbot, admin, organisation, settings)
    query = shown(again).query
    assert query == asked
    assert query.period == Period(date(2025, 4, 1), date(2026, 3, 31))
    assert query.group_by == (Dimension.NETWORK, Dimension.MONTH)
    assert query.assumptions.tariff_pounds == 185
    assert set(query.practice_codes) == south_lakeland(organisation)
    assert again.choices.place.currentText() == "South Lakeland network"
    assert again.choices.preset.currentText() == "Last financial year"
    assert again.choices.then_by.currentData() == Dimension.MONTH.value
    assert again.chart.measure.currentText() == "Avoidance rate (%)"
    # The test screen is narrower than the window: restoring keeps the width within it.
    assert again.height() == 640


def test_chosen_dates_are_kept_as_dates_and_kept_at_every_change(
    qtbot: QtBot,
    admin: Workspace,  # noqa: F811
    organisation: Organisation,
    settings: QSettings,
    tmp_path: Path,
) -> None:
    window = open_reports(qtbot, admin, organisation, settings)
    window.choices.set_period(date(2026, 2, 1), date(2026, 4, 30))
    choose(qtbot, window, "breakdown", Dimension.AGE_BAND.value)
    # Kept as chosen, not only on closing: the app may end without closing this window.
    copy = QSettings(str(tmp_path / "copy.ini"), QSettings.Format.IniFormat)
    for key in settings.allKeys():
        copy.setValue(key, settings.value(key))
    again = open_reports(qtbot, admin, organisation, copy)
    assert again.choices.preset.currentText() == CUSTOM
    assert shown(again).query.period == Period(date(2026, 2, 1), date(2026, 4, 30))
    assert shown(again).query.group_by == (Dimension.AGE_BAND,)


def test_remembered_choices_outside_the_scope_are_dropped(
    qtbot: QtBot,
    ui_store: Store,
    catalogue: SpecialtyCatalogue,
    targets: ResponseTargets,
    organisation: Organisation,
    settings: QSettings,
) -> None:
    # Left by someone else on this computer, or before the user's role changed.
    for key, value in {
        "reports/specialty": "100",  # not one of the specialist's
        "reports/place": "practice:BAY005",  # not the practice manager's
        "reports/breakdown": Dimension.PRACTICE.value,
        "reports/then_by": Dimension.PRACTICE.value,  # the same twice: not offered
        "reports/period": CUSTOM,
        "reports/first": "not a date",
        "reports/tariff": "a lot",
    }.items():
        settings.setValue(key, value)

    specialist = workspace_of(ui_store, DEMO_SPECIALIST, catalogue, targets)
    window = open_reports(qtbot, specialist, organisation, settings)
    assert window.choices.specialty.currentData() == ""
    report = shown(window)
    assert set(report.query.specialty_codes) == set(specialist.user.specialty_codes)
    assert report.query.group_by == (Dimension.PRACTICE,)
    assert report.query.assumptions.tariff_pounds == DEFAULT_TARIFF_POUNDS
    assert window.choices.preset.currentText() == "Last 12 months"  # the default
    window.close()

    settings.setValue("reports/place", "network:FP")
    manager = workspace_of(ui_store, DEMO_MANAGER, catalogue, targets)
    theirs = open_reports(qtbot, manager, organisation, settings)
    assert theirs.choices.place.key() == ""
    assert [r["practice"] for r in shown(theirs).records] == [manager.user.practice_code]
    assert "Place" not in theirs.heading().filters


def south_lakeland(organisation: Organisation) -> set[str]:
    return {p.code for i in organisation.iccs_in("SL") for p in organisation.practices_in(i.code)}


@pytest.mark.parametrize(
    ("remembered", "practices"),
    [
        ("practice:BAY005", {"BAY005"}),
        ("icc:KEN", {"BAY018", "BAY019", "BAY020", "BAY021", "BAY022", "BAY023"}),
        ("network:SL", south_lakeland(Organisation.load())),
        ("practice:GONE01", set()),  # a practice since closed
        ("icc:GONE", set()),  # an ICC since merged
        ("network:GONE", set()),
        ("BAY005", set()),  # not a place's key
    ],
)
def test_an_administrator_keeps_a_place_the_bay_still_has(
    qtbot: QtBot,
    admin: Workspace,  # noqa: F811
    organisation: Organisation,
    settings: QSettings,
    remembered: str,
    practices: set[str],
) -> None:
    settings.setValue("reports/place", remembered)
    window = open_reports(qtbot, admin, organisation, settings)
    assert set(shown(window).query.practice_codes) == practices
    assert window.choices.place.key() == (remembered if practices else "")


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 2), {
            "Last 12 months": (date(2025, 12, 3), date(2026, 12, 2)),
            "This month": (date(2026, 12, 1), date(2026, 12, 2)),
            "Last month": (date(2026, 11, 1), date(2026, 11, 30)),
            "This financial year": (date(2026, 4, 1), date(2026, 12, 2)),
            "Last financial year": (date(2025, 4, 1), date(2026, 3, 31)),
        }),
        (date(2028, 2, 29), {  # a leap day: twelve months back is the end of February
            "Last 12 months": (date(2027, 3, 1), date(2028, 2, 29)),
            "This month": (date(2028, 2, 1), date(2028, 2, 29)),
            "Last month": (date(2028, 1, 1), date(2028, 1, 31)),
            "This financial year": (date(2027, 4, 1), date(2028, 2, 29)),
            "Last financial year": (date(2026, 4, 1), date(2027, 3, 31)),
        }),
        (date(2026, 4, 1), {  # the first day of a financial year
            "Last 12 months": (date(2025, 4, 2), date(2026, 4, 1)),
            "This month": (date(2026, 4, 1), date(2026, 4, 1)),
            "Last month": (date(2026, 3, 1), date(2026, 3, 31)),
            "This financial year": (date(2026, 4, 1), date(2026, 4, 1)),
            "Last financial year": (date(2025, 4, 1), date(2026, 3, 31)),
        }),
    ],
)  # fmt: skip
def test_each_preset_means_what_it_says_and_never_reaches_past_today(
    today: date, expected: dict[str, tuple[date, date]]
) -> None:
    periods = {
        name: (chooser(today).first, chooser(today).last) for name, chooser in PRESETS.items()
    }
    assert periods == expected
    assert all(last <= today for _, last in periods.values())
