"""The Qt binding itself: a release that mismanages references would crash the app.

PySide6 6.12.0 drops a reference to ``None`` on every call of a Qt method that returns
nothing; a desktop app makes such calls constantly, and on Python 3.11 (where ``None``
is not immortal) the interpreter aborts with "none_dealloc" within minutes. The project
excludes that release; this test fails on any release that does the same.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

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
