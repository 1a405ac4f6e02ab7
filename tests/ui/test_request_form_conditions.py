"""A question that applies only to some answers is asked, and required, only with them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from bhcp_ag.ui.form_fields import FieldRow
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm

from .test_request_form import click, fill_generic


@pytest.fixture
def form(qtbot: QtBot, main_window: MainWindow) -> RequestForm:
    opened = main_window.open_new_request()
    qtbot.waitExposed(opened)
    return opened


def fill_cardiology(qtbot: QtBot, form: RequestForm, symptom: str) -> FieldRow:
    """A cardiology request with every field answered but the character of chest pain,
    whose row is returned."""
    edit = form.specialty.edit
    qtbot.keyClicks(edit, "cardiology")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert form.specialty.code() == "320"
    fill_generic(qtbot, form)
    rows = form.fields.template.rows
    click(qtbot, rows["symptoms"].input.boxes[symptom])  # type: ignore[attr-defined]
    for key, typed in [
        ("ecg_findings", "Sinus rhythm, 72"),
        ("systolic_bp", "132"),
        ("diastolic_bp", "84"),
        ("heart_rate", "72"),
    ]:
        qtbot.keyClicks(rows[key].input.focus_widgets[0], typed)
    return rows["chest_pain_character"]


def chest_pain_box(form: RequestForm) -> QCheckBox:
    return form.fields.template.rows["symptoms"].input.boxes["Chest pain"]  # type: ignore[attr-defined, no-any-return]


def test_without_chest_pain_its_character_is_not_asked_and_the_request_is_sent(
    qtbot: QtBot, form: RequestForm
) -> None:
    character = fill_cardiology(qtbot, form, "Palpitations")
    assert not character.isVisible()
    assert not character.label.isVisible()
    with qtbot.waitSignal(form.request_sent, timeout=5000):
        click(qtbot, form.send_button)


def test_ticking_chest_pain_asks_its_character_and_requires_it(
    qtbot: QtBot, form: RequestForm
) -> None:
    character = fill_cardiology(qtbot, form, "Palpitations")
    chest_pain = chest_pain_box(form)
    click(qtbot, chest_pain)
    assert character.isVisible() and character.label.text() == "Character of chest pain *"
    click(qtbot, form.send_button)
    assert form.isVisible()  # not sent
    assert form.problem_label("template.chest_pain_character").text() == (
        "Character of chest pain is required."
    )
    click(qtbot, chest_pain)  # untick: the question, and its problem, go
    assert not character.isVisible()
    assert form.problem_label("template.chest_pain_character").text() == ""
    with qtbot.waitSignal(form.request_sent, timeout=5000):
        click(qtbot, form.send_button)


def test_an_answer_to_a_question_no_longer_asked_is_not_sent_but_comes_back(
    qtbot: QtBot, form: RequestForm
) -> None:
    fill_cardiology(qtbot, form, "Chest pain").input.set_value("Typical angina")
    assert form.fields.template.answers()["chest_pain_character"] == "Typical angina"
    chest_pain = chest_pain_box(form)
    click(qtbot, chest_pain)
    assert "chest_pain_character" not in form.fields.template.answers()
    click(qtbot, chest_pain)
    assert form.fields.template.answers()["chest_pain_character"] == "Typical angina"
