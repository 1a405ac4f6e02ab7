"""Dermatology's "Photo attached" follows the files: the GP cannot claim a photo not there."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from bhcp_ag.ui.form_fields import ChoiceInput
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm
from tests.attachment_files import letter_pdf, photo

from .test_request_form import choose_dermatology, saved_and_reopened


@pytest.fixture
def form(qtbot: QtBot, main_window: MainWindow) -> RequestForm:
    opened = main_window.open_new_request()
    qtbot.waitExposed(opened)
    return opened


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "elbow.jpg": photo("JPEG", seed=1),
        "close-up.png": photo("PNG", seed=2),
        "letter.pdf": letter_pdf(),
    }
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in made}


def photo_question(form: RequestForm) -> ChoiceInput:
    field_input = form.fields.template.rows["photo_attached"].input
    assert isinstance(field_input, ChoiceInput)
    return field_input


def choosable(field_input: ChoiceInput) -> list[str]:
    """The answers that can be picked from the list (the blank one left out)."""
    combo = field_input.combo
    model = combo.model()
    return [
        combo.itemText(index)
        for index in range(1, combo.count())
        if model.item(index).isEnabled()  # type: ignore[attr-defined]
    ]


def remove(form: RequestForm, name: str) -> None:
    tile = next(tile for tile in form.attachments.tiles if tile.file.filename == name)
    assert form.remove_attachment(tile.file.id)


def test_attaching_a_photo_answers_yes_and_removing_the_last_answers_no(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path]
) -> None:
    choose_dermatology(qtbot, form)
    question = photo_question(form)
    assert question.value() is None
    assert choosable(question) == ["No photo"]  # nothing attached: no photo to claim

    assert form.attach_file(files["letter.pdf"])
    assert question.value() is None  # a letter is not a photo
    assert form.attach_file(files["elbow.jpg"])
    assert question.value() == "Clinical only"
    assert choosable(question) == ["Dermoscopic and clinical", "Clinical only"]
    question.set_value("Dermoscopic and clinical")  # the GP says which
    assert form.attach_file(files["close-up.png"])
    assert question.value() == "Dermoscopic and clinical"  # kept: still a photo

    remove(form, "elbow.jpg")
    assert question.value() == "Dermoscopic and clinical"  # one photo is left
    remove(form, "close-up.png")
    assert question.value() == "No photo"
    assert choosable(question) == ["No photo"]
    assert form.attachments.names() == ["letter.pdf"]


def test_a_reopened_draft_keeps_its_photo_answer_and_still_follows_the_files(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path], main_window: MainWindow
) -> None:
    choose_dermatology(qtbot, form)
    assert form.attach_file(files["elbow.jpg"])
    photo_question(form).set_value("Dermoscopic and clinical")
    reopened = saved_and_reopened(qtbot, form, main_window)
    assert photo_question(reopened).value() == "Dermoscopic and clinical"
    remove(reopened, "elbow.jpg")
    assert photo_question(reopened).value() == "No photo"
