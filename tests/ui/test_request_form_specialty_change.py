"""A filled form never changes specialty by accident: blank space does not lead to the
chooser, and a change that would set answers aside asks first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm

from .test_request_form import QUESTION, click, fill_generic


@pytest.fixture
def form(qtbot: QtBot, main_window: MainWindow) -> RequestForm:
    opened = main_window.open_new_request()
    qtbot.waitExposed(opened)
    return opened


class Asked:
    """Stands in for QMessageBox.question: notes each question, answers from a list."""

    def __init__(self, *answers: object) -> None:
        self.texts: list[str] = []
        self.answers = list(answers)
        self.autosave_waiting: list[bool] = []  # whether the form's autosave was due

    def __call__(self, parent: object, title: str, text: str, *_args: object) -> object:
        self.texts.append(f"{title} {text}")
        if isinstance(parent, RequestForm):
            self.autosave_waiting.append(parent.autosave_timer.isActive())
        return self.answers.pop(0)


def type_specialty(qtbot: QtBot, form: RequestForm, typed: str) -> None:
    """Click into the chooser, replace its text and press Return, as a GP would."""
    edit = form.specialty.edit
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def fill_cardiology(qtbot: QtBot, form: RequestForm) -> None:
    type_specialty(qtbot, form, "320")
    assert form.specialty.code() == "320"
    rows = form.fields.template.rows
    click(qtbot, rows["symptoms"].input.boxes["Palpitations"])  # type: ignore[attr-defined]
    qtbot.keyClicks(rows["ecg_findings"].input.focus_widgets[0], "Sinus rhythm, 72")


def click_blank_space(qtbot: QtBot, form: RequestForm) -> None:
    """A click in the form's right-hand margin, beside the fields, where nothing is."""
    viewport = form.scroll_area.viewport()
    spot = QPoint(viewport.width() - 6, viewport.height() // 2)
    assert viewport.childAt(spot) in (None, form.scroll_area.widget())
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=spot)


def test_tab_from_blank_space_goes_on_from_the_last_field_not_to_the_chooser(
    qtbot: QtBot, form: RequestForm
) -> None:
    fill_cardiology(qtbot, form)
    fill_generic(qtbot, form)
    fields = form.fields
    question = fields.texts["question"].edit
    qtbot.mouseClick(question, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(question.hasFocus)
    chooser: tuple[QWidget, ...] = (form.specialty, form.specialty.edit)

    click_blank_space(qtbot, form)
    assert QApplication.focusWidget() is question  # the click moved nothing
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() not in chooser
    assert QApplication.focusWidget() is fields.texts["clinical_summary"].edit
    click_blank_space(qtbot, form)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is question
    assert QApplication.focusWidget() not in chooser
    qtbot.keyClicks(QApplication.focusWidget(), "x")  # typing goes on where it was
    assert form.specialty.code() == "320" and question.toPlainText() == QUESTION + "x"


def filled_then_neurology(
    qtbot: QtBot, form: RequestForm, monkeypatch: pytest.MonkeyPatch, answer: object
) -> Asked:
    """Fill in cardiology, then type neurology into the chooser; ``answer`` the question."""
    fill_cardiology(qtbot, form)
    asked = Asked(answer)
    monkeypatch.setattr(QMessageBox, "question", asked)
    type_specialty(qtbot, form, "neurology")
    return asked


def test_changing_the_specialty_of_a_filled_form_asks_and_cancel_keeps_everything(
    qtbot: QtBot, form: RequestForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = filled_then_neurology(qtbot, form, monkeypatch, QMessageBox.StandardButton.Cancel)
    assert len(asked.texts) == 1
    text = asked.texts[0]
    assert "from Cardiology to Neurology" in text
    assert "answers to Cardiology's 2 questions will be set aside" in text
    assert "choose Cardiology again" in text
    assert asked.autosave_waiting == [False]  # no draft filed under Neurology meanwhile
    assert form.autosave_timer.isActive()  # and what was typed is saved after all
    assert form.specialty.code() == "320"
    assert form.specialty.edit.text() == "Cardiology (320)"
    assert form.template_box.heading.text() == "Cardiology questions"
    answers = form.fields.template.answers()
    assert answers == {"symptoms": ["Palpitations"], "ecg_findings": "Sinus rhythm, 72"}


def test_a_change_confirmed_sets_the_answers_aside_until_the_old_specialty_is_chosen(
    qtbot: QtBot, form: RequestForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = filled_then_neurology(qtbot, form, monkeypatch, QMessageBox.StandardButton.Yes)
    assert form.specialty.code() == "400"
    assert form.template_box.heading.text() == "Neurology questions"
    assert "ecg_findings" not in form.fields.template.rows
    type_specialty(qtbot, form, "320")  # nothing of Neurology's answered: not asked
    assert len(asked.texts) == 1
    assert form.fields.template.answers()["ecg_findings"] == "Sinus rhythm, 72"


def test_a_form_without_answers_to_set_aside_changes_specialty_unasked(
    qtbot: QtBot, form: RequestForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = Asked()
    monkeypatch.setattr(QMessageBox, "question", asked)
    type_specialty(qtbot, form, "330")
    rows = form.fields.template.rows
    qtbot.keyClicks(rows["duration"].input.focus_widgets[0], "3 months")
    type_specialty(qtbot, form, "410")  # rheumatology asks the duration too
    assert asked.texts == [] and form.specialty.code() == "410"
    assert form.fields.template.rows["duration"].input.value() == "3 months"
