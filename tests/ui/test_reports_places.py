"""The Reports view's place filter: the whole Bay, a network, an ICC or a practice.

An administrator narrows a report to one network or ICC (all its practices) or one
practice, by the mouse, the arrow keys or typing part of a name; the heading and the CSV
name the network or ICC rather than listing its practices.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.services.reports import read_csv
from bhcp_ag.ui.reports.place_filter import INDENT, WHOLE_BAY, PlaceFilter
from bhcp_ag.ui.reports.window import ReportsWindow

from .test_reports_view import (
    admin,  # noqa: F401  (a fixture)
    admin_reports,  # noqa: F401  (a fixture)
    choose,
    kept_until_teardown,  # noqa: F401  (an autouse fixture)
    settle,
    shown,
)

KENDAL = {"BAY018", "BAY019", "BAY020", "BAY021", "BAY022", "BAY023"}


def network_practices(organisation: Organisation, network: str) -> set[str]:
    return {
        p.code for i in organisation.iccs_in(network) for p in organisation.practices_in(i.code)
    }


def test_the_list_follows_the_bay_with_iccs_and_practices_indented(
    qtbot: QtBot, organisation: Organisation
) -> None:
    box = PlaceFilter(organisation, "Place")
    qtbot.addWidget(box)
    keys = [box.itemData(row) for row in range(box.count())]
    assert keys[:4] == ["", "network:FP", "icc:MIL", "practice:BAY001"]
    assert box.itemText(0) == WHOLE_BAY and box.itemText(1) == "Furness Peninsula network"
    assert box.itemText(2) == "Millom ICC (Furness Peninsula)"
    assert len(keys) == len(set(keys)) == 1 + 3 + 12 + 47
    practices = [key.removeprefix("practice:") for key in keys if key.startswith("practice:")]
    assert sorted(practices) == sorted(p.code for p in organisation.practices)
    # Each practice sits under its own ICC, each ICC under its own network.
    icc = network = ""
    for key in keys[1:]:
        kind, code = key.split(":")
        if kind == "network":
            network = code
        elif kind == "icc":
            icc = code
            assert organisation.icc(code).network_code == network
        else:
            assert organisation.practice(code).icc_code == icc
    delegate = box.itemDelegate()
    indented = []
    for row in (0, 1, 2, 3):
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, box.model().index(row, 0))  # type: ignore[attr-defined]
        indented.append(option.text)  # type: ignore[attr-defined]
    assert indented == [
        WHOLE_BAY,
        "Furness Peninsula network",
        INDENT + "Millom ICC (Furness Peninsula)",
        INDENT * 2 + "Duddon Valley Medical Practice (BAY001)",
    ]


def test_a_network_reports_on_its_practices_only(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
    organisation: Organisation,
) -> None:
    window = admin_reports
    furness = network_practices(organisation, "FP")
    choose(qtbot, window, "breakdown", Dimension.PRACTICE.value)
    everywhere = {r["practice"] for r in shown(window).records}
    choose(qtbot, window, "place", "network:FP")
    report = shown(window)
    assert set(report.query.practice_codes) == furness
    listed = {r["practice"] for r in report.records}
    assert listed == everywhere & furness and listed < everywhere
    assert window.choices.filters_text() == "Place: Furness Peninsula network"
    assert dict(report.filters)["Practices"] == "Furness Peninsula network (14 practices)"


def test_typing_part_of_a_name_chooses_an_icc_and_the_csv_names_it(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
    tmp_path: Path,
) -> None:
    window = admin_reports
    box = window.choices.place
    edit = box.edit
    window.activateWindow()
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "kendal")
    assert box.key() == ""  # nothing chosen while typing
    # Enter goes to the list of suggestions when it is shown, as the keyboard's would.
    qtbot.keyClick(QApplication.activePopupWidget() or edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: box.key() == "icc:KEN")
    settle(qtbot, window)
    assert set(shown(window).query.practice_codes) == KENDAL
    assert box.currentText() == "Kendal ICC (South Lakeland)"
    assert "Place: Kendal ICC (South Lakeland)" in window.heading().filters
    path = window.export_csv(tmp_path / "kendal.csv")
    assert path is not None
    _, about = read_csv(path)
    assert ["Practices", "Kendal ICC, South Lakeland network (6 practices)"] in about

    edit.selectAll()
    qtbot.keyClicks(edit, "BAY013")  # a practice code
    qtbot.keyClick(QApplication.activePopupWidget() or edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: box.key() == "practice:BAY013")
    edit.selectAll()
    qtbot.keyClicks(edit, "no such place")
    qtbot.keyClick(QApplication.activePopupWidget() or edit, Qt.Key.Key_Return)
    assert box.key() == "practice:BAY013"  # kept, and its name put back
    assert box.currentText() == "Hoad Hill Medical Centre (BAY013)"


def test_the_arrow_keys_step_through_the_places(
    qtbot: QtBot,
    admin_reports: ReportsWindow,  # noqa: F811
    organisation: Organisation,
) -> None:
    window = admin_reports
    box = window.choices.place
    assert box.accessibleName() and box.edit.accessibleName() == box.accessibleName()
    qtbot.keyClick(box.edit, Qt.Key.Key_Down)
    assert box.key() == "network:FP"
    qtbot.keyClick(box.edit, Qt.Key.Key_Down)
    assert box.key() == "icc:MIL"
    settle(qtbot, window)
    assert shown(window).query.practice_codes == ("BAY001",)
    qtbot.keyClick(box.edit, Qt.Key.Key_Up)
    qtbot.keyClick(box.edit, Qt.Key.Key_Up)
    assert box.key() == ""
    qtbot.waitUntil(lambda: shown(window).query.practice_codes == ())
