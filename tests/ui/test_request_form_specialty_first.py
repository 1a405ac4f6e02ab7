"""The request form asks for the specialty first, and never loses words to a cleared one.

A draft is filed under a specialty, so until one is chosen the rest of the form waits
(disabled, under a note); once chosen, clearing the chooser keeps the draft saving under
the last one, and only Send asks for a specialty again.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.paths import RESOURCES_DIR
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm
from bhcp_ag.ui.specialty_chooser import CHOOSE_FIRST

from .test_request_form import QUESTION, choose_dermatology, click, unnamed_controls


@pytest.fixture
def form(qtbot: QtBot, main_window: MainWindow) -> RequestForm:
    opened = main_window.open_new_request()
    qtbot.waitExposed(opened)
    return opened


def waiting_controls(form: RequestForm) -> list[QWidget]:
    """A control of each part that waits for the specialty, and Save and Send."""
    fields = form.fields
    return [
        fields.nhs_number.edit,
        fields.birth_date.edit,
        fields.sex.combo,
        fields.texts["question"].edit,
        fields.texts["clinical_summary"].edit,
        fields.priority.buttons["URGENT"],
        fields.would_have_referred.buttons["yes"],
        form.attachments.attach_button,
        form.save_button,
        form.send_button,
    ]


def clear_specialty(qtbot: QtBot, form: RequestForm) -> None:
    """Empty the chooser from the keyboard and Tab away, as a GP would."""
    chooser = form.specialty
    chooser.setFocus()
    qtbot.waitUntil(chooser.hasFocus)
    qtbot.keyClick(chooser.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(chooser.edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(chooser.edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not chooser.hasFocus())
    assert chooser.edit.text() == ""
    assert chooser.code() is None


def test_the_rest_of_the_form_waits_for_the_specialty_under_a_note(
    qtbot: QtBot, form: RequestForm
) -> None:
    qtbot.waitUntil(lambda: form.focusWidget() is form.specialty)
    note = form.specialty_note
    assert note.isVisible()
    assert note.text() == CHOOSE_FIRST
    assert form.specialty.accessibleDescription() == CHOOSE_FIRST  # said on reaching it
    assert note.accessibleName()
    assert [w for w in waiting_controls(form) if w.isEnabled()] == []
    assert form.close_button.isEnabled()
    fields = form.fields
    qtbot.keyClicks(fields.nhs_number.edit, "943 476 5919")
    qtbot.keyClicks(fields.texts["question"].edit, QUESTION)
    assert (fields.nhs_number.value(), fields.texts["question"].value()) == ("", "")
    assert unnamed_controls(form) == []

    choose_dermatology(qtbot, form)
    assert not note.isVisible()
    assert form.specialty.accessibleDescription() == ""
    assert [w for w in waiting_controls(form) if not w.isEnabled()] == []
    qtbot.keyClicks(fields.texts["question"].edit, QUESTION)
    assert fields.texts["question"].value() == QUESTION
    assert unnamed_controls(form) == []


def test_after_clearing_the_specialty_the_draft_keeps_saving_under_the_last_one(
    qtbot: QtBot, form: RequestForm, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    form.autosave_timer.setInterval(50)
    choose_dermatology(qtbot, form)
    question = form.fields.texts["question"].edit
    site = form.fields.template.rows["lesion_site"].input.focus_widgets[0]
    qtbot.keyClicks(site, "Both elbows")
    with qtbot.waitSignal(form.draft_saved, timeout=2000):
        qtbot.keyClicks(question, "Is this eczema?")
    draft_id = form.conversation_id
    assert draft_id is not None

    clear_specialty(qtbot, form)
    note = form.specialty_note
    assert note.isVisible()
    assert "the draft stays under Dermatology" in note.text()
    assert form.specialty.accessibleDescription() == note.text()
    assert question.isEnabled()
    assert form.template_box.heading.text() == "Dermatology questions"  # kept, answered
    with qtbot.waitSignal(form.draft_saved, timeout=2000):
        qtbot.keyClicks(question, " Or psoriasis?")
    saved = workspace.requests.load_form(draft_id)
    assert saved.specialty_code == "330"
    assert saved.question == "Is this eczema? Or psoriasis?"
    assert saved.template_answers["lesion_site"] == "Both elbows"

    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    form.specialty.choose("410")  # another specialty: the draft moves to it
    assert not note.isVisible()
    with qtbot.waitSignal(form.draft_saved, timeout=2000):
        qtbot.keyClicks(question, " Thanks.")
    assert workspace.requests.load_form(draft_id).specialty_code == "410"


def test_quitting_with_the_specialty_cleared_keeps_the_words(
    qtbot: QtBot, form: RequestForm, main_window: MainWindow, workspace: Workspace
) -> None:
    form.autosave_timer.setInterval(60_000)  # only the quit path saves here
    choose_dermatology(qtbot, form)
    question = form.fields.texts["question"]
    qtbot.keyClicks(question.edit, QUESTION)
    clear_specialty(qtbot, form)
    qtbot.keyClicks(question.edit, " Typed after clearing it.")
    assert form.conversation_id is None
    main_window.close()  # the app quitting with the form open
    assert form.conversation_id is not None
    saved = workspace.requests.load_form(form.conversation_id)
    assert saved.specialty_code == "330"
    assert saved.question == QUESTION + " Typed after clearing it."


def test_send_with_the_specialty_cleared_asks_for_one_and_keeps_the_words(
    qtbot: QtBot, form: RequestForm, workspace: Workspace
) -> None:
    choose_dermatology(qtbot, form)
    qtbot.keyClicks(form.fields.texts["question"].edit, QUESTION)
    qtbot.keyClicks(form.fields.template.rows["lesion_site"].input.focus_widgets[0], "Elbows")
    form.specialty.setCurrentIndex(0)  # the blank entry, picked from the list
    assert form.specialty.code() is None
    assert form.specialty_note.isVisible()
    assert form.fields.template.answers() == {"lesion_site": "Elbows"}  # questions kept
    click(qtbot, form.send_button)
    problem = form.problem_label("specialty_code")
    assert problem.isVisible()
    assert problem.text() == "Choose the specialty to ask."
    assert form.specialty.hasFocus()
    assert form.isVisible()
    assert form.fields.texts["question"].value() == QUESTION
    assert workspace.changes_waiting() == 0  # nothing sent
    assert form.save_draft()  # Save still files it under the last one
    assert form.conversation_id is not None
    saved = workspace.requests.load_form(form.conversation_id)
    assert (saved.specialty_code, saved.template_answers) == ("330", {"lesion_site": "Elbows"})


def test_closing_with_the_specialty_cleared_saves_the_draft(
    qtbot: QtBot, form: RequestForm, workspace: Workspace
) -> None:
    choose_dermatology(qtbot, form)
    qtbot.keyClicks(form.fields.texts["question"].edit, QUESTION)
    clear_specialty(qtbot, form)
    with qtbot.waitSignal(form.finished):
        click(qtbot, form.close_button)
    assert form.conversation_id is not None
    assert workspace.requests.load_form(form.conversation_id).question == QUESTION


def test_a_draft_opens_ready_to_edit(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace
) -> None:
    draft = AdviceRequestForm(specialty_code="410", question="Possible early RA?")
    draft_id = workspace.requests.save_draft(workspace.user.id, draft)
    form = main_window.open_draft(draft_id)
    qtbot.waitExposed(form)
    assert form.specialty.code() == "410"
    assert not form.specialty_note.isVisible()
    assert [w for w in waiting_controls(form) if not w.isEnabled()] == []
    assert form.template_box.heading.text() == "Rheumatology questions"
    assert form.fields.texts["question"].value() == "Possible early RA?"


def test_a_draft_under_a_specialty_since_retired_still_opens_and_saves(
    qtbot: QtBot, workspace: Workspace, catalogue: SpecialtyCatalogue
) -> None:
    draft = AdviceRequestForm(specialty_code="410", question="Possible early RA?")
    draft_id = workspace.requests.save_draft(workspace.user.id, draft)
    remaining = [s for s in catalogue if s.tfc_code != "410"]
    shorter = SpecialtyCatalogue(remaining, RESOURCES_DIR / "templates")
    form = RequestForm(replace(workspace, catalogue=shorter), conversation_id=draft_id)
    qtbot.addWidget(form)
    form.open()
    qtbot.waitExposed(form)
    assert form.specialty.code() is None
    assert "the draft stays under 410" in form.specialty_note.text()
    assert form.fields.texts["question"].edit.isEnabled()
    form.fields.texts["question"].set_value("Possible early RA? Bloods attached.")
    assert form.save_draft()
    saved = workspace.requests.load_form(draft_id)
    assert (saved.specialty_code, saved.question) == ("410", "Possible early RA? Bloods attached.")
