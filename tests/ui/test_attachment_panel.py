"""Attaching files to a request: dropped or picked, previewed small and large, removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QMimeData,
    QPoint,
    QPointF,
    QSize,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QMouseEvent,
    QPageSize,
    QPainter,
    QPdfWriter,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.limits import JPEG, MAX_ATTACHMENT_BYTES
from bhcp_ag.services import attachments
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui import attachment_panel, attachment_preview
from bhcp_ag.ui.attachment_panel import AttachmentsPanel
from bhcp_ag.ui.attachment_preview import AttachmentPreview
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm
from tests.attachment_files import pdf, photo

QUESTION = "Is this eczema or psoriasis?"


def image_bytes(width: int, height: int, image_format: str = "PNG") -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("tan"))
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, image_format)  # type: ignore[call-overload]  # str at runtime
    buffer.close()
    return bytes(array.data())


def pdf_bytes(pages: int = 2) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    for page in range(pages):
        if page:
            writer.newPage()
        painter.drawText(100, 100, f"Clinic letter, page {page + 1}")
    painter.end()
    buffer.close()
    data = bytes(array.data())
    assert data.startswith(b"%PDF-")
    return data


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A photo, a scan, a letter, a fake photo and one over 5 MB, on disk."""
    made = {
        "rash.png": image_bytes(40, 30),
        "elbow.jpg": image_bytes(60, 90, "JPG"),
        "letter.pdf": pdf_bytes(),
        "notes.jpg": b"not a picture at all",
    }
    paths = {}
    for name, data in made.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    big = tmp_path / "scan.png"
    with big.open("wb") as handle:
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)
    paths["scan.png"] = big
    return paths


@pytest.fixture
def form(qtbot: QtBot, main_window: MainWindow) -> RequestForm:
    opened = main_window.open_new_request()
    qtbot.waitExposed(opened)
    edit = opened.specialty.edit
    qtbot.keyClicks(edit, "330")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert opened.specialty.code() == "330"
    qtbot.keyClicks(opened.fields.texts["question"].edit, QUESTION)
    return opened


def drop(target: QWidget, paths: list[Path], urls: list[QUrl] | None = None) -> QDropEvent:
    """Drag ``paths`` over ``target`` and drop them, as a file manager would."""
    mime = QMimeData()
    mime.setUrls(urls if urls is not None else [QUrl.fromLocalFile(str(p)) for p in paths])
    centre = target.rect().center()
    enter = QDragEnterEvent(  # Qt takes a whole point here and a fractional one below
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, enter)
    dropped = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    if enter.isAccepted():
        QApplication.sendEvent(target, dropped)
    return dropped


def stored_names(workspace: Workspace, form: RequestForm) -> list[str]:
    assert form.conversation_id is not None
    found = attachments.conversation_attachments(workspace.store, form.conversation_id)
    return [file.filename for file in found]


def test_files_dropped_together_attach_the_good_ones_and_name_each_refusal(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path], workspace: Workspace
) -> None:
    missing = files["rash.png"].with_name("gone.png")  # dropped, then moved away
    dropped = [files[n] for n in ("rash.png", "notes.jpg", "letter.pdf", "scan.png")]
    event = drop(form.attachments, [*dropped, missing])
    assert event.isAccepted()
    assert form.attachments.names() == ["rash.png", "letter.pdf"]
    assert stored_names(workspace, form) == ["rash.png", "letter.pdf"]
    problem = form.problem_label("attachments")
    assert problem.isVisible()
    lines = problem.text().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("'notes.jpg' cannot be attached: its contents are not JPEG")
    assert lines[1] == "'scan.png' is 5.1 MB; attachments can be at most 5 MB each."
    assert lines[2].startswith("'gone.png' could not be read: No such file")
    assert form.message.text() == "2 attached; 3 files could not be attached (see Attachments)."
    assert form.fields.texts["question"].value() == QUESTION  # nothing typed is lost


def test_a_file_dropped_anywhere_on_the_form_is_attached(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path], workspace: Workspace
) -> None:
    event = drop(form, [files["elbow.jpg"]])
    assert event.isAccepted()
    assert stored_names(workspace, form) == ["elbow.jpg"]
    assert form.message.text() == "'elbow.jpg' attached; the draft is saved."
    assert not form.problem_label("attachments").isVisible()


def test_a_drag_without_local_files_is_not_taken(
    qtbot: QtBot, form: RequestForm, workspace: Workspace
) -> None:
    event = drop(form.attachments, [], urls=[QUrl("https://example.org/rash.png")])
    assert not event.isAccepted()
    assert form.conversation_id is None  # not even a draft saved for it


def test_the_panel_reports_dropped_paths(qtbot: QtBot, files: dict[str, Path]) -> None:
    panel = AttachmentsPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.files_dropped) as dropped:
        drop(panel, [files["rash.png"], files["letter.pdf"]])
    assert dropped.args == [[files["rash.png"], files["letter.pdf"]]]


def test_each_file_shows_a_preview_and_what_it_is(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path]
) -> None:
    assert form.attach_files([files["rash.png"], files["letter.pdf"]]) == [
        "rash.png",
        "letter.pdf",
    ]
    photo, letter = form.attachments.tiles
    assert photo.detail_label.text().startswith("PNG image, 40 × 30, ")
    thumbnail = photo.preview_button.icon().pixmap(attachment_panel.THUMBNAIL).toImage()
    assert thumbnail.pixelColor(thumbnail.width() // 2, thumbnail.height() // 2) == QColor("tan")
    size = len(files["letter.pdf"].read_bytes())
    if attachment_preview.QPdfDocument is None:
        assert letter.detail_label.text() == f"PDF, {attachment_preview.size_text(size)}"
    else:
        assert letter.detail_label.text().startswith("PDF, 2 pages, ")
    assert photo.preview_button.accessibleName() == "Preview rash.png"
    assert letter.remove_button.accessibleName() == "Remove letter.pdf"


def test_a_photo_opens_large_scaled_to_fit_from_the_keyboard(
    qtbot: QtBot, form: RequestForm, tmp_path: Path
) -> None:
    wide = tmp_path / "wide.png"
    wide.write_bytes(image_bytes(3000, 1500))
    form.attach_file(wide)
    button = form.attachments.tiles[0].preview_button
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Return)
    [preview] = form.findChildren(AttachmentPreview)
    qtbot.waitExposed(preview)
    qtbot.waitUntil(lambda: not preview.shown_size().isEmpty())
    shown = preview.shown_size()
    room = preview.picture.viewport().size()
    assert shown.width() <= room.width() and shown.height() <= room.height()
    assert shown.width() == room.width() or shown.height() == room.height()  # fills one way
    assert abs(shown.width() / shown.height() - 2.0) < 0.02  # not stretched
    assert preview.details.text().startswith("PNG image, 3000 × 1500, ")
    assert preview.focusWidget() is preview.close_button
    with qtbot.waitSignal(preview.finished):
        qtbot.keyClick(preview.close_button, Qt.Key.Key_Escape)


def test_a_pdf_preview_says_so_when_it_cannot_be_drawn(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path]
) -> None:
    form.attach_file(files["letter.pdf"])
    tile = form.attachments.tiles[0]
    qtbot.mouseClick(tile.name_label, Qt.MouseButton.LeftButton)  # anywhere on the tile
    [preview] = form.findChildren(AttachmentPreview)
    qtbot.waitExposed(preview)
    if attachment_preview.QPdfDocument is None:
        assert preview.message.text() == "A preview of PDF files is not available on this computer."
        assert not preview.zoom_in_button.isEnabled()
        assert preview.shown_size().isEmpty()
    else:
        qtbot.waitUntil(lambda: not preview.shown_size().isEmpty())


def test_remove_takes_the_file_off_the_draft_and_keeps_the_focus_near(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path], workspace: Workspace
) -> None:
    form.attach_files([files["rash.png"], files["elbow.jpg"], files["letter.pdf"]])
    first, second, _third = form.attachments.tiles
    form.scroll_area.ensureWidgetVisible(first.remove_button)
    qtbot.mouseClick(first.remove_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert stored_names(workspace, form) == ["elbow.jpg", "letter.pdf"]
    assert form.message.text() == "'rash.png' removed from the draft."
    [now_first, _] = form.attachments.tiles
    assert now_first.file.id == second.file.id
    assert form.focusWidget() is now_first.preview_button  # the next file along
    qtbot.keyClick(now_first.preview_button, Qt.Key.Key_Delete)  # Delete removes too
    assert stored_names(workspace, form) == ["letter.pdf"]
    form.remove_attachment(form.attachments.tiles[0].file.id)
    assert form.attachments.names() == []
    assert form.attachments.empty_note.isVisible()
    assert form.focusWidget() is form.attachments.attach_button
    assert form.fields.texts["question"].value() == QUESTION


def test_the_photo_prompt_goes_once_a_photo_is_attached(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path]
) -> None:
    note = form.attachments.photo_note
    assert note.isVisible()
    form.attach_file(files["letter.pdf"])
    assert note.isVisible()  # a letter is not the photo the specialty asks for
    form.attach_file(files["elbow.jpg"])
    assert not note.isVisible()
    form.specialty.choose("410")  # rheumatology expects no photo
    form.remove_attachment(form.attachments.tiles[1].file.id)
    assert not note.isVisible()


def test_a_reopened_draft_shows_its_attachments(
    qtbot: QtBot, form: RequestForm, files: dict[str, Path], main_window: MainWindow
) -> None:
    form.attach_files([files["rash.png"], files["letter.pdf"]])
    draft_id = form.conversation_id
    assert draft_id is not None
    form.reject()
    reopened = main_window.open_draft(draft_id)
    qtbot.waitExposed(reopened)
    assert reopened.attachments.names() == ["rash.png", "letter.pdf"]
    assert reopened.attachments.tiles[0].detail_label.text().startswith("PNG image, 40 × 30")


def test_attaching_without_a_specialty_says_what_to_do_first(
    qtbot: QtBot, main_window: MainWindow, files: dict[str, Path]
) -> None:
    form = main_window.open_new_request()
    qtbot.waitExposed(form)
    assert form.attach_files([files["rash.png"]]) == []
    assert form.problem_label("attachments").text() == (
        "'rash.png' not attached: choose the specialty first, so the draft can keep it."
    )
    assert form.problem_label("specialty_code").isVisible()


@pytest.mark.slow
def test_a_large_phone_photo_is_made_smaller_and_the_form_says_so(
    qtbot: QtBot, form: RequestForm, tmp_path: Path, workspace: Workspace
) -> None:
    big = tmp_path / "IMG_0001.jpg"
    big.write_bytes(photo("JPEG", 4032, 3024, quality=100, noise=0.6))  # over 12 MB, GPS in it
    assert big.stat().st_size > 12 * 1024 * 1024
    assert form.attach_files([big]) == ["IMG_0001.jpg"]
    notice = form.attachments.notice
    assert notice.isVisible() and not form.attachments.problem.isVisible()
    made_smaller, removed = notice.text().splitlines()
    assert made_smaller.startswith("'IMG_0001.jpg' was made smaller to fit the 5 MB limit: 1")
    assert "MB, 4032 × 3024 pixels, now " in made_smaller
    assert "where and when it was taken" in removed
    assert form.conversation_id is not None
    [kept] = attachments.conversation_attachments(workspace.store, form.conversation_id)
    assert kept.size <= MAX_ATTACHMENT_BYTES and b"PhoneMaker" not in kept.content
    tile = form.attachments.tiles[0]
    assert tile.name_label.text() == "IMG_0001.jpg — JPEG picture"


def test_each_file_shows_its_real_type_and_a_safe_name(
    qtbot: QtBot, form: RequestForm, tmp_path: Path, workspace: Workspace
) -> None:
    disguised = tmp_path / "scan.jpg"
    disguised.write_bytes(pdf_bytes(1))  # a PDF named as a photo
    tricky = tmp_path / "photo\u202egnp.png"  # shows as "photognp.png" reversed: "photopng.exe"
    tricky.write_bytes(image_bytes(40, 30))
    device = tmp_path / "con.png"
    device.write_bytes(image_bytes(20, 20))
    assert form.attach_files([disguised, tricky, device]) == [
        "scan.jpg",
        "photognp.png",
        "_con.png",
    ]
    labels = [tile.name_label.text() for tile in form.attachments.tiles]
    assert labels == [
        "scan.jpg — PDF document",
        "photognp.png — PNG picture",
        "_con.png — PNG picture",
    ]
    assert stored_names(workspace, form) == ["scan.jpg", "photognp.png", "_con.png"]
    notice = form.attachments.notice.text()
    assert "'photo?gnp.png' is attached as 'photognp.png'" in notice
    assert "'con.png' is attached as '_con.png'" in notice
    assert "\u202e" not in notice


def test_a_pdf_that_can_run_something_is_refused_with_a_reason(
    qtbot: QtBot, form: RequestForm, tmp_path: Path
) -> None:
    hostile = tmp_path / "results.pdf"
    hostile.write_bytes(pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"))
    assert form.attach_files([hostile]) == []
    assert form.attachments.problem.text().startswith(
        "'results.pdf': the PDF cannot be attached: it contains JavaScript"
    )
    assert form.fields.texts["question"].value() == QUESTION  # nothing typed is lost


def test_a_photo_is_zoomed_in_moved_about_and_fitted_again(qtbot: QtBot) -> None:
    """A dermatologist zooms in on a lesion's border, drags to it, and fits the photo again."""
    content = photo("JPEG", 1600, 1200)
    file = attachments.AttachedFile("a1", "lesion.jpg", "0" * 64, JPEG, len(content), content)
    preview = AttachmentPreview(file)
    qtbot.addWidget(preview)
    preview.resize(720, 760)
    with qtbot.waitActive(preview):  # for its shortcuts
        preview.show()
    picture = preview.picture
    room = picture.viewport().size()
    fitted = preview.shown_size()
    assert fitted.width() == room.width() and fitted.height() < room.height()
    assert not picture.horizontalScrollBar().isVisible()

    for _ in range(3):  # Ctrl++ three times: about twice the fitted size
        qtbot.keyClick(preview.focusWidget(), Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    zoomed = preview.shown_size()
    assert zoomed.width() > fitted.width() * 1.9
    assert zoomed.height() > picture.viewport().height()
    bars = picture.horizontalScrollBar(), picture.verticalScrollBar()
    qtbot.waitUntil(lambda: all(bar.isVisible() and bar.maximum() > 0 for bar in bars))
    assert preview.zoom_label.text() == f"{picture.scale_factor():.0%}"

    before = (bars[0].value(), bars[1].value())
    _drag(picture.viewport(), QPoint(400, 400), QPoint(250, 300))  # the hand pulls it left, up
    assert bars[0].value() > before[0] and bars[1].value() > before[1]

    wheel_zoom = picture.scale_factor()
    _ctrl_wheel(picture.viewport(), QPoint(200, 200), -120)
    assert picture.scale_factor() < wheel_zoom  # Ctrl and the wheel towards you: smaller
    qtbot.mouseClick(preview.zoom_out_button, Qt.MouseButton.LeftButton)
    assert picture.scale_factor() < wheel_zoom / 1.2

    qtbot.mouseClick(preview.fit_button, Qt.MouseButton.LeftButton)
    assert picture.fitting
    qtbot.waitUntil(lambda: not any(bar.isVisible() for bar in bars))
    assert preview.shown_size() == fitted
    qtbot.keyClick(preview.focusWidget(), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert preview.shown_size() == QSize(1600, 1200)  # actual size


def _drag(widget: QWidget, start: QPoint, end: QPoint) -> None:
    """Press the left button at ``start``, move to ``end`` holding it, and let go."""
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for kind, at, buttons in (
        (QEvent.Type.MouseButtonPress, start, left),
        (QEvent.Type.MouseMove, (start + end) / 2, left),
        (QEvent.Type.MouseMove, end, left),
        (QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton),
    ):
        local = QPointF(at)
        global_at = QPointF(widget.mapToGlobal(at))
        button = left if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
        QApplication.sendEvent(widget, QMouseEvent(kind, local, global_at, button, buttons, none))


def _ctrl_wheel(widget: QWidget, at: QPoint, delta: int) -> None:
    """One notch of the mouse wheel at ``at`` with Ctrl held."""
    event = QWheelEvent(
        QPointF(at),
        QPointF(widget.mapToGlobal(at)),
        QPoint(),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
