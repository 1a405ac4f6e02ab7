"""The request form holds still: a message under a field never moves the fields below."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm

from .test_request_form import VALID_NHS_NUMBER, choose_dermatology


@pytest.fixture
def form(qtbot: QtBot, main_window: MainWindow) -> RequestForm:
    opened = main_window.open_new_request()
    qtbot.waitExposed(opened)
    return opened


def top(form: RequestForm, widget: QWidget) -> int:
    """Where ``widget`` is in the form's scrolled contents, in pixels from the top."""
    return widget.mapTo(form.scroll_area.widget(), QPoint(0, 0)).y()


def test_a_message_under_a_field_appearing_or_going_moves_nothing_below(
    qtbot: QtBot, form: RequestForm
) -> None:
    choose_dermatology(qtbot, form)
    edit = form.fields.nhs_number.edit
    below = form.fields.family_name.edit
    summary = form.fields.texts["clinical_summary"].edit
    before = (top(form, below), top(form, summary))
    problem = form.problem_label("patient_nhs_number")

    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(edit, "943 476 5918")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)  # leaving it shows the check digit's problem
    qtbot.waitUntil(lambda: "check digit" in problem.text())
    assert (top(form, below), top(form, summary)) == before
    assert below.hasFocus()  # the Tab went where the GP aimed

    edit.setFocus()
    edit.setText(VALID_NHS_NUMBER)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: problem.text() == "")
    assert problem.isVisible()  # a blank line, its space kept
    assert (top(form, below), top(form, summary)) == before


def test_a_long_message_stays_on_its_line_and_is_read_in_full(
    qtbot: QtBot, form: RequestForm
) -> None:
    choose_dermatology(qtbot, form)
    row = form.fields.rows["patient_nhs_number"]
    below = top(form, form.fields.birth_date.edit)
    width = form.width()
    message = "This NHS number is not one the hub can take. " * 8
    row.show_problem(message)
    assert top(form, form.fields.birth_date.edit) == below
    assert form.width() == width  # not widened by the message either
    assert row.problem.toolTip() == message  # the whole of it, on pointing at the line
    assert row.problem.accessibleDescription() == message
    assert form.fields.nhs_number.edit.accessibleDescription() == message
