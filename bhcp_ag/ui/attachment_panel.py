"""The request form's attachments: drop or pick files and see each one small.

:class:`AttachmentsPanel` shows the draft's files as tiles (a thumbnail of a photo, an
icon and page count for a PDF), each with a Remove button, and takes files dropped on it.
A tile opens the large :class:`~bhcp_ag.ui.attachment_preview.AttachmentPreview`. The panel
only shows and asks; the form does the attaching and removing through the services.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeyEvent,
    QMouseEvent,
    QPixmap,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from bhcp_ag.domain.file_names import name_with_type
from bhcp_ag.domain.limits import PDF
from bhcp_ag.services.attachments import AttachedFile
from bhcp_ag.ui.attachment_preview import local_files, thumbnail
from bhcp_ag.ui.form_fields import HINT_STYLE, PROBLEM_COLOUR

THUMBNAIL = QSize(64, 64)
FILES_TAKEN = "JPEG, PNG or PDF, up to 5 MB each; a larger photo is made smaller to fit."
PHOTO_EXPECTED = "A photo is expected for this specialty: drag one here or attach it."
_ZONE_STYLE = "QFrame#attachmentDropZone {{ border: {border}; border-radius: 6px; }}"


class _KeyButton(QPushButton):
    """A button Enter presses too (the form's buttons are not auto-default), and Delete
    asks to remove its attachment."""

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
        elif event.key() == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
        else:
            super().keyPressEvent(event)


class AttachmentTile(QFrame):
    """One attached file: its thumbnail (press it for a larger preview), name and Remove."""

    preview_requested = Signal(str)
    remove_requested = Signal(str)

    def __init__(self, file: AttachedFile, thumbnail: QPixmap | None, detail: str) -> None:
        super().__init__()
        self.file = file
        self.detail = detail
        self.preview_button = _KeyButton()
        self.preview_button.setAutoDefault(False)
        self.preview_button.setFlat(True)
        self.preview_button.setIconSize(THUMBNAIL)
        self.preview_button.setFixedSize(THUMBNAIL + QSize(12, 12))
        icon = QIcon(thumbnail) if thumbnail is not None else _file_icon(self)
        self.preview_button.setIcon(icon)
        self.preview_button.setAccessibleName(f"Preview {file.filename}")
        self.preview_button.setAccessibleDescription(f"{detail}. Press Delete to remove it.")
        self.preview_button.setToolTip("Open a larger preview (Enter)")
        self.preview_button.clicked.connect(lambda: self.preview_requested.emit(file.id))
        self.preview_button.delete_pressed.connect(lambda: self.remove_requested.emit(file.id))
        self.name_label = QLabel(name_with_type(file.filename, file.mime_type))
        self.detail_label = QLabel(detail)
        self.detail_label.setStyleSheet(HINT_STYLE)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAutoDefault(False)
        self.remove_button.setAccessibleName(f"Remove {file.filename}")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(file.id))
        self.setAccessibleName(f"{name_with_type(file.filename, file.mime_type)}, {detail}")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name_label)
        text.addWidget(self.detail_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.preview_button)
        layout.addLayout(text, 1)
        layout.addWidget(self.remove_button)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A click anywhere on the tile but Remove opens the preview."""
        if event.button() == Qt.MouseButton.LeftButton:
            self.preview_requested.emit(self.file.id)
        super().mouseReleaseEvent(event)


class AttachmentsPanel(QFrame):
    """The attach button, the files attached so far, and why a file was refused.

    Files dropped on the panel come out as ``files_dropped`` (a list of paths); the
    tiles' requests as ``preview_requested`` and ``remove_requested`` (attachment ids).
    """

    files_dropped = Signal(list)
    preview_requested = Signal(str)
    remove_requested = Signal(str)
    files_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("attachmentDropZone")
        self.setAcceptDrops(True)
        self._set_highlight(False)
        self._photo_expected = False
        self._thumbnails: dict[str, tuple[QPixmap | None, str]] = {}
        self.tiles: list[AttachmentTile] = []
        self.attach_button = QPushButton("Attach &file…")
        self.attach_button.setAutoDefault(False)
        self.attach_button.setAccessibleName("Attach a file")
        self.attach_button.setToolTip(FILES_TAKEN)
        self.photo_note = QLabel(PHOTO_EXPECTED)
        self.photo_note.setWordWrap(True)
        self.photo_note.setStyleSheet("font-weight: 600;")
        self.photo_note.hide()
        hint = QLabel(f"or drag files here. {FILES_TAKEN}")
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        self.files = QWidget()
        self.files.setAccessibleName("Attached files")
        self._file_rows = QVBoxLayout(self.files)
        self._file_rows.setContentsMargins(0, 0, 0, 0)
        self._file_rows.setSpacing(6)
        self.empty_note = QLabel("No files attached.")
        self.empty_note.setStyleSheet(HINT_STYLE)
        self._file_rows.addWidget(self.empty_note)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {PROBLEM_COLOUR};")
        self.problem.setAccessibleName("Problem with the attachment")
        self.problem.hide()
        self.notice = QLabel()  # what was done to a file to attach it (made smaller, renamed)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("What was changed in the attached files")
        self.notice.hide()
        top = QHBoxLayout()
        top.addWidget(self.attach_button)
        top.addWidget(hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addWidget(self.photo_note)
        layout.addLayout(top)
        layout.addWidget(self.files)
        layout.addWidget(self.notice)
        layout.addWidget(self.problem)

    # --- what is attached -------------------------------------------------------------

    def show_files(self, files: Sequence[AttachedFile]) -> None:
        """Show exactly ``files`` (the draft's attachments, as the store has them)."""
        for tile in self.tiles:
            tile.hide()
            tile.deleteLater()
        self.tiles = []
        for file in files:
            thumbnail, detail = self._preview_of(file)
            tile = AttachmentTile(file, thumbnail, detail)
            tile.preview_requested.connect(self.preview_requested)
            tile.remove_requested.connect(self.remove_requested)
            self._file_rows.addWidget(tile)
            tile.show()  # now, not when the layout gets round to it: it may take the focus
            self.tiles.append(tile)
        self.empty_note.setVisible(not self.tiles)
        self._update_photo_note()
        self.files_changed.emit()

    def names(self) -> list[str]:
        return [tile.file.filename for tile in self.tiles]

    def file(self, attachment_id: str) -> AttachedFile | None:
        return next((t.file for t in self.tiles if t.file.id == attachment_id), None)

    def focus_widgets(self) -> list[QWidget]:
        """The attach button, then each file's preview and Remove buttons, in order."""
        widgets: list[QWidget] = [self.attach_button]
        for tile in self.tiles:
            widgets += [tile.preview_button, tile.remove_button]
        return widgets

    def _preview_of(self, file: AttachedFile) -> tuple[QPixmap | None, str]:
        """The thumbnail and description of ``file``, made once per content."""
        if file.sha256 not in self._thumbnails:
            image, detail = thumbnail(file, THUMBNAIL)
            pixmap = QPixmap.fromImage(image) if image is not None else None
            self._thumbnails[file.sha256] = (pixmap, detail)
        return self._thumbnails[file.sha256]

    # --- the photo a specialty expects ------------------------------------------------

    def set_photo_expected(self, expected: bool) -> None:
        self._photo_expected = expected
        self._update_photo_note()

    def _update_photo_note(self) -> None:
        has_photo = any(t.file.mime_type != PDF for t in self.tiles)
        self.photo_note.setVisible(self._photo_expected and not has_photo)

    # --- problems ---------------------------------------------------------------------

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setAccessibleDescription(message)
        self.problem.show()

    def clear_problem(self) -> None:
        self.problem.clear()
        self.problem.hide()

    def show_notice(self, message: str) -> None:
        """Say what was changed in files as they were attached (not a problem)."""
        self.notice.setText(message)
        self.notice.setAccessibleDescription(message)
        self.notice.show()

    def clear_notice(self) -> None:
        self.notice.clear()
        self.notice.hide()

    # --- dropping files ---------------------------------------------------------------

    def _set_highlight(self, on: bool) -> None:
        border = "2px solid palette(highlight)" if on else "1px dashed palette(mid)"
        self.setStyleSheet(_ZONE_STYLE.format(border=border))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event.mimeData()):
            event.acceptProposedAction()
            self._set_highlight(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_files(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_highlight(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_highlight(False)
        paths = local_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(paths)


def _file_icon(widget: QWidget) -> QIcon:
    return widget.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
