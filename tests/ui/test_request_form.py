"""The advice request form, driven as a GP would: keys, clicks, and the real store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAccessible, QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from bhcp_ag.domain.conversation import TWO_WEEK_WAIT_REFUSAL, Status
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import Conversation
from bhcp_ag.store.sync_state import BoundHub, bind_hub
from bhcp_ag.ui.conversation_model import Column
from bhcp_ag.ui.form_fields import PROBLEM_COLOUR, FieldRow
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm

VALID_NHS_NUMBER = "943 476 5919"
QUESTION = "Is this eczema or psoriasis, and what should we try next?"
SUMMARY = "Itchy plaques on both elbows for 3 months; emollients helped a little."


@pytest.fixture
def form(qtbot: QtBot, main_window: MainWindow) -> RequestForm:
    opened = main_window.open_new_request()
    qtbot.waitExposed(opened)
    return opened


def drafts(workspace: Workspace) -> int:
    with workspace.store.read_session() as session:
        query = select(func.count()).where(Conversation.status == Status.DRAFT)
        return session.scalar(query) or 0


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click as the mouse would: scrolled into view first, where the form scrolls."""
    form = button.window()
    if isinstance(form, RequestForm) and form.scroll_area.isAncestorOf(button):
        form.scroll_area.ensureWidgetVisible(button)
    if button.isCheckable():  # on the box itself: the label's spare width is not clickable
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))
    else:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose_dermatology(qtbot: QtBot, form: RequestForm) -> None:
    edit = form.specialty.edit
    edit.clear()
    qtbot.keyClicks(edit, "330")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert form.specialty.code() == "330"
    assert "lesion_site" in form.fields.template.rows


def saved_and_reopened(qtbot: QtBot, form: RequestForm, main_window: MainWindow) -> RequestForm:
    """Save ``form`` as a draft, close it, and open the draft again."""
    click(qtbot, form.save_button)
    draft_id = form.conversation_id
    assert draft_id is not None
    form.reject()
    reopened = main_window.open_draft(draft_id)
    qtbot.waitExposed(reopened)
    return reopened


def fill_generic(qtbot: QtBot, form: RequestForm, nhs_number: str = VALID_NHS_NUMBER) -> None:
    fields = form.fields
    qtbot.keyClicks(fields.nhs_number.edit, nhs_number)
    qtbot.keyClicks(fields.family_name.edit, "Capstick")
    qtbot.keyClicks(fields.given_name.edit, "Jean")
    qtbot.keyClicks(fields.birth_date.edit, "14/03/1958")
    fields.sex.combo.setCurrentIndex(fields.sex.combo.findData("female"))
    qtbot.keyClicks(fields.texts["question"].edit, QUESTION)
    qtbot.keyClicks(fields.texts["clinical_summary"].edit, SUMMARY)
    click(qtbot, fields.would_have_referred.buttons["yes"])
    click(qtbot, fields.convert.buttons["NOT_AUTHORISED_TO_CONVERT"])


def fill_dermatology_questions(qtbot: QtBot, form: RequestForm) -> None:
    rows = form.fields.template.rows
    qtbot.keyClicks(rows["lesion_site"].input.focus_widgets[0], "Both elbows")
    rows["problem_type"].input.set_value("Rash")
    qtbot.keyClicks(rows["duration"].input.focus_widgets[0], "3 months")
    click(qtbot, rows["changes"].input.boxes["None"])  # type: ignore[attr-defined]
    qtbot.keyClicks(rows["treatments_tried"].input.focus_widgets[0], "Emollients, 6 weeks")
    rows["photo_attached"].input.set_value("No photo")


def test_an_invalid_nhs_number_is_shown_under_its_field_when_leaving_it(
    qtbot: QtBot, form: RequestForm
) -> None:
    choose_dermatology(qtbot, form)
    edit = form.fields.nhs_number.edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, "943 476 5918")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    problem = form.problem_label("patient_nhs_number")
    qtbot.waitUntil(lambda: problem.text() != "")
    assert "check digit" in problem.text()
    assert problem.accessibleName() == "Problem with NHS number"
    assert problem.y() > edit.y()  # directly under the field
    edit.setFocus()
    edit.setText(VALID_NHS_NUMBER)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: problem.text() == "")


def test_sending_an_invalid_request_shows_each_problem_and_keeps_what_was_typed(
    qtbot: QtBot, form: RequestForm, workspace: Workspace
) -> None:
    choose_dermatology(qtbot, form)
    fill_generic(qtbot, form, nhs_number="943 476 5918")
    qtbot.keyClicks(form.fields.template.rows["lesion_site"].input.focus_widgets[0], "Elbows")
    click(qtbot, form.send_button)
    nhs_problem = form.problem_label("patient_nhs_number")
    assert nhs_problem.isVisible() and "check digit" in nhs_problem.text()
    assert form.problem_label("template.problem_type").text()
    assert form.problem_label("template.duration").text() == "Duration of symptoms is required."
    assert form.problem_label("question").text() == ""
    assert form.fields.nhs_number.edit.hasFocus()  # the first field with a problem
    assert form.isVisible()
    assert form.fields.nhs_number.value() == "943 476 5918"
    assert form.fields.texts["question"].value() == QUESTION
    assert form.fields.template.answers()["lesion_site"] == "Elbows"
    assert workspace.changes_waiting() == 0
    duration = form.fields.template.rows["duration"].input.focus_widgets[0]
    qtbot.keyClicks(duration, "6 weeks")
    assert form.problem_label("template.duration").text() == ""  # gone once mended


def test_the_patients_name_is_asked_checked_and_shown_once_sent(
    qtbot: QtBot, form: RequestForm, main_window: MainWindow
) -> None:
    choose_dermatology(qtbot, form)
    fill_generic(qtbot, form)
    fill_dermatology_questions(qtbot, form)
    family, given = form.fields.family_name.edit, form.fields.given_name.edit
    given.clear()
    family.setFocus()
    family.setText("Capstick2")
    qtbot.keyClick(family, Qt.Key.Key_Tab)  # leaving it says what is wrong, at once
    problem = form.problem_label("patient_family_name")
    qtbot.waitUntil(lambda: "'2'" in problem.text())
    assert problem.accessibleName() == "Problem with Family name (surname)"
    click(qtbot, form.send_button)  # not sent: the given name is missing too
    assert form.isVisible()
    assert "Enter the patient's given name" in form.problem_label("patient_given_name").text()
    assert form.fields.family_name.value() == "Capstick2"  # what was typed is kept
    family.setText("capstick")
    qtbot.keyClicks(given, "Jean")
    with qtbot.waitSignal(form.finished):
        click(qtbot, form.send_button)
    model = main_window.model
    assert model.index(0, Column.PATIENT).data() == "943 476 5919 · CAPSTICK, Jean"
    tooltip = model.index(0, Column.PATIENT).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "CAPSTICK, Jean, born 14 March 1958, NHS number 943 476 5919"
    text = main_window.viewer.toPlainText()
    banner = text.splitlines()[0]
    assert "CAPSTICK, Jean" in banner and "14 Mar 1958" in banner and "943 476 5919" in banner


def test_two_week_wait_shows_the_refusal_and_blocks_sending(
    qtbot: QtBot, form: RequestForm
) -> None:
    choose_dermatology(qtbot, form)
    click(qtbot, form.fields.priority.buttons["TWO_WEEK_WAIT"])
    refusal = form.fields.two_week_wait_refusal
    assert refusal.isVisible()
    assert refusal.text() == TWO_WEEK_WAIT_REFUSAL
    assert not form.send_button.isEnabled()
    click(qtbot, form.fields.priority.buttons["URGENT"])
    assert not refusal.isVisible()
    assert form.send_button.isEnabled()


def test_a_complete_request_is_sent_and_appears_at_the_top_of_the_list(
    qtbot: QtBot, form: RequestForm, main_window: MainWindow, workspace: Workspace
) -> None:
    choose_dermatology(qtbot, form)
    fill_generic(qtbot, form)
    fill_dermatology_questions(qtbot, form)
    with qtbot.waitSignal(form.finished) as finished:
        click(qtbot, form.send_button)
    assert finished.args == [QDialog.DialogCode.Accepted]
    assert not form.isVisible()
    model = main_window.model
    assert model.conversation_id(0) == form.conversation_id
    assert model.index(0, 0).data() == "Sent, waiting to sync"
    assert main_window.selected_conversation_id() == form.conversation_id
    assert workspace.changes_waiting() == 1
    assert main_window.sync_label.text() == "1 change waiting to sync"
    message = main_window.statusBar().currentMessage()
    assert message.startswith("Request sent to Dermatology; due ")


def test_a_saved_draft_reopens_with_everything_typed(
    qtbot: QtBot, form: RequestForm, main_window: MainWindow
) -> None:
    choose_dermatology(qtbot, form)
    fill_generic(qtbot, form, nhs_number="943 476")
    fill_dermatology_questions(qtbot, form)
    reopened = saved_and_reopened(qtbot, form, main_window)
    fields = reopened.fields
    assert reopened.specialty.code() == "330"
    assert fields.nhs_number.value() == "943 476"
    assert fields.birth_date.edit.text() == "14/03/1958"
    assert fields.sex.value() == "female"
    assert fields.texts["question"].value() == QUESTION
    assert fields.would_have_referred.value() == "yes"
    assert fields.convert.value() == "NOT_AUTHORISED_TO_CONVERT"
    assert fields.template.answers() == {
        "lesion_site": "Both elbows",
        "problem_type": "Rash",
        "duration": "3 months",
        "changes": ["None"],
        "treatments_tried": "Emollients, 6 weeks",
        "photo_attached": "No photo",
    }


def test_closing_with_typed_content_saves_a_draft(
    qtbot: QtBot, form: RequestForm, main_window: MainWindow, workspace: Workspace
) -> None:
    before = drafts(workspace)
    choose_dermatology(qtbot, form)
    qtbot.keyClicks(form.fields.texts["question"].edit, QUESTION)
    with qtbot.waitSignal(form.finished):
        click(qtbot, form.close_button)
    assert drafts(workspace) == before + 1
    assert form.conversation_id is not None
    assert workspace.requests.load_form(form.conversation_id).question == QUESTION
    assert main_window.statusBar().currentMessage().startswith("Draft saved")
    assert main_window.model.conversation_id(0) == form.conversation_id


def test_closing_a_draft_that_cannot_be_saved_warns_before_discarding(
    qtbot: QtBot, form: RequestForm, workspace: Workspace
) -> None:
    before = drafts(workspace)
    choose_dermatology(qtbot, form)
    form.fields.texts["results"].set_value("r" * 8001)
    click(qtbot, form.close_button)
    assert form.isVisible()  # kept open: over the limit, it cannot be saved as it is
    assert "the limit is 8,000" in form.problem_label("results").text()
    assert "press Close again" in form.message.text()
    with qtbot.waitSignal(form.finished):
        click(qtbot, form.close_button)
    assert drafts(workspace) == before


def test_an_image_is_attached_and_a_fake_jpeg_is_refused_inline(
    qtbot: QtBot, form: RequestForm, tmp_path: Path
) -> None:
    choose_dermatology(qtbot, form)
    assert form.attachments.photo_note.isVisible()
    photo = tmp_path / "rash.png"
    image = QImage(32, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("tan"))
    assert image.save(str(photo))
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a picture at all")
    assert form.attach_file(photo)
    assert form.conversation_id is not None  # attaching saved the draft first
    assert not form.attach_file(fake)
    problem = form.problem_label("attachments")
    assert problem.isVisible()
    assert "'notes.jpg' cannot be attached" in problem.text()
    assert form.attachments.names() == ["rash.png"]


def test_changing_specialty_keeps_answers_for_the_same_questions(
    qtbot: QtBot, form: RequestForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose_dermatology(qtbot, form)
    fill_dermatology_questions(qtbot, form)
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    form.specialty.choose("410")  # rheumatology also asks for the duration
    rows = form.fields.template.rows
    assert "lesion_site" not in rows
    assert rows["duration"].input.value() == "3 months"
    form.specialty.choose("330")
    assert form.fields.template.answers()["lesion_site"] == "Both elbows"


def test_a_specialty_is_found_by_name(qtbot: QtBot, form: RequestForm) -> None:
    edit = form.specialty.edit
    qtbot.keyClicks(edit, "rheumat")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert form.specialty.code() == "410"
    assert form.template_box.heading.text() == "Rheumatology questions"


def test_the_character_counter_turns_red_over_the_limit(form: RequestForm) -> None:
    results = form.fields.texts["results"]
    results.set_value("x" * 123)
    assert results.counter.text() == "123 / 8,000"
    results.set_value("x" * 8001)
    assert results.counter.text() == "8,001 / 8,000"
    assert PROBLEM_COLOUR in results.counter.styleSheet()


def test_nothing_the_gp_must_answer_is_pre_selected(form: RequestForm) -> None:
    fields = form.fields
    assert fields.would_have_referred.value() is None
    assert fields.convert.value() is None
    assert fields.sex.value() is None
    assert fields.birth_date.value() is None


def test_every_input_is_named_for_its_label(qtbot: QtBot, form: RequestForm) -> None:
    choose_dermatology(qtbot, form)
    rows: list[FieldRow] = [form.specialty_row, *form.fields.rows.values()]
    rows += form.fields.template.rows.values()
    for row in rows:
        assert row.label.text().removesuffix(" *") == row.name
        assert row.input.widget.accessibleName() == row.name
    for button in (form.save_button, form.send_button, form.close_button):
        assert "&" in button.text()  # a mnemonic


def test_tab_order_follows_the_visual_order(qtbot: QtBot, form: RequestForm) -> None:
    choose_dermatology(qtbot, form)
    expected: list[QWidget] = [form.specialty, *form.fields.focus_widgets()]
    expected += form.attachments.focus_widgets()
    expected += [form.save_button, form.send_button, form.close_button]
    wanted = set(expected)
    chain = [expected[0]]
    widget = expected[0].nextInFocusChain()
    while widget is not None and widget is not expected[0] and len(chain) < len(expected):
        if widget in wanted:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    assert chain == expected
    tops = [w.mapTo(form, w.rect().topLeft()).y() for w in expected[:-3]]
    assert tops == sorted(tops)


# --- saving as the GP types -------------------------------------------------------------


def autosaving_form(qtbot: QtBot, workspace: Workspace, now: datetime) -> RequestForm:
    """A new form whose clock reads ``now`` and which saves 50 ms after the last edit."""
    opened = RequestForm(workspace, now=lambda: now)
    qtbot.addWidget(opened)
    opened.autosave_timer.setInterval(50)
    opened.open()
    qtbot.waitExposed(opened)
    return opened


def test_a_draft_is_saved_once_typing_pauses_without_taking_the_focus(
    qtbot: QtBot, workspace: Workspace, now: datetime
) -> None:
    form = autosaving_form(qtbot, workspace, now)
    before = drafts(workspace)
    choose_dermatology(qtbot, form)
    edit = form.fields.texts["question"].edit
    edit.setFocus()
    form.autosave_timer.setInterval(60_000)  # held back while we look mid-typing
    qtbot.keyClicks(edit, "Is this ")
    assert form.autosave_timer.isActive()
    assert form.conversation_id is None  # nothing saved mid-word
    form.autosave_timer.setInterval(50)
    with qtbot.waitSignal(form.draft_saved, timeout=2000):
        qtbot.keyClicks(edit, "eczema?")
    assert form.conversation_id is not None
    assert workspace.requests.load_form(form.conversation_id).question == "Is this eczema?"
    assert form.saved_label.text() == "Draft saved at 10:00"  # 10:00 UTC is 10:00 in London
    assert form.message.text() == ""  # quiet: nothing to read
    assert form.focusWidget() is edit
    with qtbot.waitSignal(form.draft_saved, timeout=2000):
        qtbot.keyClicks(edit, " Or psoriasis?")
    assert workspace.requests.load_form(form.conversation_id).question == (
        "Is this eczema? Or psoriasis?"
    )
    assert drafts(workspace) == before + 1  # the same draft, saved again
    with qtbot.waitSignal(form.finished):
        form.reject()
    assert drafts(workspace) == before + 1


def test_the_saved_time_is_london_time_in_summer(qtbot: QtBot, workspace: Workspace) -> None:
    form = autosaving_form(qtbot, workspace, datetime(2026, 7, 1, 9, 5, tzinfo=UTC))
    choose_dermatology(qtbot, form)
    with qtbot.waitSignal(form.draft_saved, timeout=2000):
        qtbot.keyClicks(form.fields.texts["question"].edit, QUESTION)
    assert form.saved_label.text() == "Draft saved at 10:05"  # British Summer Time


def test_autosave_never_nags_about_a_draft_it_cannot_save_yet(
    qtbot: QtBot, workspace: Workspace, now: datetime
) -> None:
    form = autosaving_form(qtbot, workspace, now)
    form.autosave_timer.setInterval(60_000)
    before = drafts(workspace)
    form.fields.texts["question"].set_value(QUESTION)  # as a program could, not the GP
    assert not form.autosave()  # no specialty: nothing to file it under yet
    assert form.problem_label("specialty_code").text() == ""
    choose_dermatology(qtbot, form)
    form.fields.texts["results"].set_value("r" * 8001)
    assert not form.autosave()  # over the limit: Save or Close will say so
    assert form.problem_label("results").text() == ""
    assert (form.message.text(), form.saved_label.text()) == ("", "")
    assert drafts(workspace) == before
    form.fields.texts["results"].set_value("FBC normal")
    assert form.autosave()
    assert drafts(workspace) == before + 1
    assert not form.autosave()  # nothing new since


def test_every_control_has_an_accessible_name(
    qtbot: QtBot, form: RequestForm, tmp_path: Path
) -> None:
    choose_dermatology(qtbot, form)
    photo = tmp_path / "rash.png"
    image = QImage(32, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("tan"))
    assert image.save(str(photo))
    assert form.attach_file(photo)
    assert len(focusable_controls(form)) > 30
    assert unnamed_controls(form) == []


def focusable_controls(form: RequestForm) -> list[QWidget]:
    """The controls Tab can reach once enabled (the disabled ones are audited too)."""
    return [
        widget
        for widget in form.findChildren(QWidget)
        if widget.isVisibleTo(form) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
    ]


def unnamed_controls(form: RequestForm) -> list[QWidget]:
    """Controls of ``form`` a screen reader would announce without a name."""
    unnamed = []
    for widget in focusable_controls(form):
        accessible = QAccessible.queryAccessibleInterface(widget)
        if accessible is None or not accessible.text(QAccessible.Text.Name).strip():
            unnamed.append(widget)
    return unnamed


def _wheel(widget: QWidget, notches: int) -> None:
    """Turn the mouse wheel over the middle of ``widget`` (negative: towards the user)."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_mouse_wheel_scrolls_the_form_and_never_changes_an_answer(
    qtbot: QtBot, form: RequestForm
) -> None:
    choose_dermatology(qtbot, form)
    photo = form.fields.template.rows["photo_attached"].input
    photo.set_value("Clinical only")
    lists = [photo.widget, form.specialty]
    before = [(combo.currentIndex(), combo.currentText()) for combo in lists]
    form.fields.nhs_number.edit.setFocus()  # the GP is elsewhere in the form
    suggestions = QApplication.activePopupWidget()  # left open by keys sent to the edit
    if suggestions is not None:
        suggestions.hide()
    for combo in lists:
        form.scroll_area.ensureWidgetVisible(combo)
        _wheel(combo, 1)  # one notch up: the answer above, for a plain drop-down
    assert [(combo.currentIndex(), combo.currentText()) for combo in lists] == before
    assert not any(combo.hasFocus() for combo in lists)  # the wheel gives no focus either


def test_a_test_patient_is_pointed_out_at_once_when_the_hub_is_live(
    qtbot: QtBot, form: RequestForm, workspace: Workspace
) -> None:
    with workspace.store.session() as session:
        bind_hub(session, BoundHub("live-hub", "https://hub.example.nhs.uk", False))
    choose_dermatology(qtbot, form)
    edit = form.fields.nhs_number.edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, "999 000 0018")  # a valid number, of a test patient
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    problem = form.problem_label("patient_nhs_number")
    qtbot.waitUntil(lambda: problem.text() != "")
    assert "synthetic (test patient) range" in problem.text()
    assert edit.text() == "999 000 0018"  # kept as typed


def test_letters_typed_into_a_number_say_why_they_do_not_appear(
    qtbot: QtBot, form: RequestForm
) -> None:
    edit = form.specialty.edit
    qtbot.keyClicks(edit, "320")  # cardiology asks for the blood pressure
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    row = form.fields.template.rows["systolic_bp"]
    box = row.input.focus_widgets[0]
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    qtbot.keyClicks(box, "14O")  # a letter O for a zero, as tired fingers do
    assert row.input.value() == 14  # the letter was not taken
    assert row.problem.isVisible()
    assert row.problem.text().startswith("Only a number goes here")
    birth = form.fields.birth_date
    birth.edit.setFocus()
    qtbot.keyClicks(birth.edit, "14-")
    assert form.problem_label("patient_birth_date").text().startswith("Type the date in digits")


def test_a_draft_opens_at_its_first_empty_field_not_in_the_specialty_chooser(
    qtbot: QtBot, form: RequestForm, main_window: MainWindow
) -> None:
    choose_dermatology(qtbot, form)
    qtbot.keyClicks(form.fields.nhs_number.edit, VALID_NHS_NUMBER)
    reopened = saved_and_reopened(qtbot, form, main_window)
    family = reopened.fields.family_name.edit  # the first field after the NHS number
    qtbot.waitUntil(family.hasFocus)
    qtbot.keyClicks(QApplication.focusWidget(), "F")  # a key typed at once lands there
    assert family.text() == "F" and reopened.specialty.code() == "330"
