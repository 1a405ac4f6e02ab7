"""The Qt binding itself: a release that mismanages references would crash the app.

PySide6 6.12.0 drops a reference to ``None`` on every call of a Qt method that returns
nothing; a desktop app makes such calls constantly, and on Python 3.11 (where ``None``
is not immortal) the interpreter aborts with "none_dealloc" within minutes. The project
excludes that release; this test fails on any release that does the same.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.menus import menu_named

CALLS = 200


def test_qt_calls_that_return_nothing_keep_references_to_none(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    app = QApplication.instance()
    assert app is not None
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        widget.setObjectName("probe")
        app.processEvents()
    lost = before - sys.getrefcount(None)
    assert lost < CALLS // 2, f"{lost} references to None lost in {2 * CALLS} Qt calls"


def test_menus_outlive_the_code_that_made_them(qtbot: QtBot, main_window: MainWindow) -> None:
    """PySide6 6.8 to 6.10 delete a menu from ``QMenuBar.addMenu(title)`` once Python drops
    it; the app's menus (:mod:`bhcp_ag.ui.menus`) are the bar's children instead."""
    menu_named(main_window, "&View").addAction("Probe")
    gc.collect()
    menus = {
        action.text(): [entry.text() for entry in action.menu().actions()]
        for action in main_window.menuBar().actions()
    }
    assert "Sign &out" in menus["&File"] and menus["&View"] == ["Probe"]
    assert menu_named(main_window, "View").actions()[0].text() == "Probe"  # found, not made
