"""The request form's attachments: drop or pick files, see each one small, open it large.

:class:`AttachmentsPanel` shows the draft's files as tiles (a thumbnail of a photo, an
icon and page count for a PDF), each with a Remove button, and takes files dropped on it.
:class:`AttachmentPreview` shows one file large. The panel only shows and asks; the form
does the attaching and removing through the services.

PDF pages are counted and drawn with QtPdf where this Qt has it; without it a PDF is shown
by its icon, type and size.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QImageReader,
    QKeyEvent,
    QMouseEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.limits import ALLOWED_ATTACHMENT_TYPES, PDF
from bhcp_ag.services.attachments import AttachedFile
from bhcp_ag.ui.form_fields import HINT_STYLE, PROBLEM_COLOUR

try:  # QtPdf is an optional part of PySide6-Addons; not every platform's wheel has it
    from PySide6.QtPdf import QPdfDocument
except ImportError:  # pragma: no cover - depends on the installed Qt
    QPdfDocument = None  # type: ignore[assignment,misc]

THUMBNAIL = QSize(64, 64)
PHOTO_EXPECTED = "A photo is expected for this specialty: drag one here or attach it."
_ZONE_STYLE = "QFrame#attachmentDropZone {{ border: {border}; border-radius: 6px; }}"


def local_files(mime: QMimeData) -> list[Path]:
    """The local files a drag carries (web links and other data are not files)."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def size_text(size: int) -> str:
    """``850 bytes``, ``12 KB`` or ``1.2 MB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def read_image(data: bytes, fit: QSize | None = None) -> tuple[QImage, QSize]:
    """``data`` decoded (null when it cannot be), scaled while decoding to fit ``fit``;
    and the picture's own size."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # a phone photo the right way up
    size = reader.size()
    too_big = fit is not None and (size.width() > fit.width() or size.height() > fit.height())
    if fit is not None and size.isValid() and too_big:
        reader.setScaledSize(size.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return image, size if size.isValid() else image.size()


class PdfPages:
    """A PDF's page count and first page, where QtPdf is available (else none of either)."""

    def __init__(self, data: bytes) -> None:
        self.count: int | None = None
        self._document = None
        if QPdfDocument is None:
            return
        self._buffer = QBuffer()
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument()
        document.load(self._buffer)
        if document.status() == QPdfDocument.Status.Ready and document.pageCount() > 0:
            self._document = document
            self.count = document.pageCount()

    def first_page(self, fit: QSize) -> QImage | None:
        if self._document is None:
            return None
        page = self._document.pagePointSize(0).toSize()
        return self._document.render(0, page.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))


def describe(file: AttachedFile, pages: int | None = None, picture: QSize | None = None) -> str:
    """``PNG image, 1200 × 900, 340 KB`` or ``PDF, 3 pages, 120 KB``."""
    kind = ALLOWED_ATTACHMENT_TYPES.get(file.mime_type, "File")
    parts = [kind if file.mime_type == PDF else f"{kind} image"]
    if pages is not None:
        parts.append(f"{pages} page{'s' if pages != 1 else ''}")
    if picture is not None and not picture.isEmpty():
        parts.append(f"{picture.width()} × {picture.height()}")
    parts.append(size_text(file.size))
    return ", ".join(parts)


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
        self.name_label = QLabel(file.filename)
        self.detail_label = QLabel(detail)
        self.detail_label.setStyleSheet(HINT_STYLE)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAutoDefault(False)
        self.remove_button.setAccessibleName(f"Remove {file.filename}")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(file.id))
        self.setAccessibleName(f"{file.filename}, {detail}")
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
        self.attach_button.setToolTip("JPEG, PNG or PDF, up to 5 MB each.")
        self.photo_note = QLabel(PHOTO_EXPECTED)
        self.photo_note.setWordWrap(True)
        self.photo_note.setStyleSheet("font-weight: 600;")
        self.photo_note.hide()
        hint = QLabel("or drag files here. JPEG, PNG or PDF, up to 5 MB each.")
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
        top = QHBoxLayout()
        top.addWidget(self.attach_button)
        top.addWidget(hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addWidget(self.photo_note)
        layout.addLayout(top)
        layout.addWidget(self.files)
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
            if file.mime_type == PDF:
                pages = PdfPages(file.content)
                page = pages.first_page(THUMBNAIL)
                thumbnail = QPixmap.fromImage(page) if page is not None else None
                made = (thumbnail, describe(file, pages=pages.count))
            else:
                image, size = read_image(file.content, THUMBNAIL)
                pixmap = None if image.isNull() else QPixmap.fromImage(image)
                detail = describe(file, picture=size)
                made = (pixmap, detail if pixmap else f"{detail} (cannot be shown)")
            self._thumbnails[file.sha256] = made
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


class _FittedPicture(QLabel):
    """A picture scaled to fit the room it is given (never beyond its own size)."""

    def __init__(self, image: QImage | None) -> None:
        super().__init__()
        self.image = image if image is not None and not image.isNull() else None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(200, 200)
        # Ignored: the picture takes the room the dialog has, it does not set it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.image is not None:
            room = self.contentsRect().size().boundedTo(self.image.size())
            scaled = self.image.scaled(
                room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            self.setPixmap(QPixmap.fromImage(scaled))


class AttachmentPreview(QDialog):
    """One attachment shown large: a photo scaled to fit, or a PDF's first page."""

    @classmethod
    def open_for(cls, parent: QWidget | None, file: AttachedFile) -> AttachmentPreview:
        preview = cls(file, parent)
        preview.open()
        return preview

    def __init__(self, file: AttachedFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(file.filename)
        self.resize(720, 760)
        self.file = file
        pages = PdfPages(file.content) if file.mime_type == PDF else None
        if pages is not None:
            image, size = pages.first_page(QSize(1400, 1400)), None
        else:  # a large photo is decoded small: the screen shows no more
            image, size = read_image(file.content, QSize(2400, 2400))
        self.picture = _FittedPicture(image)
        self.picture.setAccessibleName(f"Preview of {file.filename}")
        self.details = QLabel(describe(file, pages=pages.count if pages else None, picture=size))
        self.details.setAccessibleName("About this file")
        self.details.setStyleSheet(HINT_STYLE)
        if self.picture.image is None:
            self.picture.setText(self._no_preview_text(file))
            self.picture.setWordWrap(True)
        self.close_button = QPushButton("&Close")
        self.close_button.setAccessibleName("Close the preview")
        self.close_button.clicked.connect(self.accept)
        self.close_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.close_button.setFocus()

    @staticmethod
    def _no_preview_text(file: AttachedFile) -> str:
        if file.mime_type == PDF:
            return "A preview of PDF files is not available on this computer."
        return f"'{file.filename}' cannot be shown: its picture could not be read."

    def shown_size(self) -> QSize:
        """The size the picture is shown at (empty when there is no picture)."""
        pixmap = self.picture.pixmap()
        return QSize() if pixmap.isNull() else pixmap.size()
