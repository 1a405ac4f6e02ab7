"""The main window on a small laptop or a remote desktop: 1000 x 600 is enough."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.conversation import Role
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.conversation_model import Column
from bhcp_ag.ui.conversation_table import COMPACT_WIDTHS, QUESTION_MIN_WIDTH
from tests.ui.conftest import shown_window


def _inside(widget: QWidget, outer: QWidget) -> bool:
    """True when all of ``widget`` is within ``outer``."""
    top_left = widget.mapTo(outer, QPoint(0, 0))
    return outer.rect().contains(QRect(top_left, widget.size()))


@pytest.fixture(params=["gp", "specialist"])
def user_workspace(
    request: pytest.FixtureRequest, workspace: Workspace, specialist_workspace: Workspace
) -> Workspace:
    """The GP's and, in turn, the specialist's (whose filter bar is the wider: it has the
    claim filter)."""
    return specialist_workspace if request.param == "specialist" else workspace


def test_the_window_fits_1000_by_600_with_the_question_in_view(
    qtbot: QtBot, user_workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    window = shown_window(qtbot, user_workspace, settings, now)
    window.filter_bar.set_overdue_count(1234)  # the badge takes room too

    hint = window.minimumSizeHint()
    assert hint.width() <= 1000 and hint.height() <= 600, hint
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1000, 600))

    table = window.table
    header = table.horizontalHeader()
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width())
    left = header.sectionViewportPosition(Column.QUESTION)
    width = header.sectionSize(Column.QUESTION)
    assert not header.isSectionHidden(Column.QUESTION)
    assert left >= 0 and left + width <= table.viewport().width()
    assert width >= QUESTION_MIN_WIDTH
    # The time left, which says what to answer first, stays readable beside it.
    assert not header.isSectionHidden(Column.NEXT_ACTION)
    assert header.sectionSize(Column.NEXT_ACTION) >= COMPACT_WIDTHS[Column.NEXT_ACTION]
    # Every filter is on screen (the bar wraps rather than running off the edge), and
    # the conversation panel keeps some room beside the list.
    bar = window.filter_bar
    fields = [bar.status, bar.specialty, bar.overdue, bar.overdue_badge, bar.search]
    for field in fields + ([bar.claim] if user_workspace.user.role is Role.SPECIALIST else []):
        assert field.isVisible() and _inside(field, bar), field.accessibleName()
    assert bar.geometry().bottom() < window.splitter.geometry().top()  # not under the list
    assert window.panel.width() >= window.panel.minimumSizeHint().width()


def test_reading_conversations_one_after_another_never_squeezes_the_list(
    qtbot: QtBot, user_workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    """Tried on a 1024 x 640 screen: choosing a request claimed by "Grace Greenwood,
    Clinical Nurse Specialist" widened the panel to its row of buttons and squeezed the
    list to one column of 120 px."""
    window = shown_window(qtbot, user_workspace, settings, now)
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1000, 600))
    window.filter_bar.status.setCurrentIndex(0)  # All
    table = window.table
    before = table.width()
    for row in range(min(window.model.rowCount(), 25)):
        table.selectRow(row)
        qtbot.waitUntil(lambda: window.panel.conversation_id is not None)
        assert table.width() == before, (row, table.width(), before)
        assert window.panel.minimumSizeHint().width() <= 420, row


def test_a_specialist_on_a_small_screen_reads_the_request_above_the_composer(
    qtbot: QtBot, specialist_workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    """Tried on a 1024 x 640 screen: the composer took all but 45 px of the panel, so the
    request was read through a slot two lines tall."""
    window = shown_window(qtbot, specialist_workspace, settings, now)
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1000, 600))
    window.filter_bar.status.setCurrentIndex(0)  # All
    panel = window.panel
    for row in range(window.model.rowCount()):
        window.table.selectRow(row)
        qtbot.waitUntil(lambda: panel.conversation_id is not None)
        if panel.composer.isVisible():
            break
    assert panel.composer.isVisible(), "the demo queue has a request to answer"
    # (Layouts settle after the events of the choice: wait for them, a second at most.)
    qtbot.waitUntil(lambda: panel.width() >= panel.composer.minimumSizeHint().width(), timeout=1000)
    qtbot.waitUntil(lambda: panel.viewer.height() >= 0.3 * panel.height(), timeout=1000)
    composer = panel.composer  # nothing in it drawn over anything else
    rows = [composer.text, composer.due_label, composer.files, composer.send_button]
    tops = [w.mapTo(composer, QPoint(0, 0)).y() for w in rows]
    bottoms = [top + w.height() for top, w in zip(tops, rows, strict=True)]
    assert all(bottoms[i] <= tops[i + 1] for i in range(len(rows) - 1)), (tops, bottoms)
    assert panel.composer.text.height() >= 60  # and there is room to write
