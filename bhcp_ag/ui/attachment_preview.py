"""Attached files shown large, and what they are: the pieces every attachment view shares.

:class:`AttachmentPreview` shows one file large: a photo scaled to fit, or a PDF's first
page. :func:`thumbnail` (from :func:`read_image`, :class:`PdfPages` and :func:`describe`)
makes the thumbnails and descriptions of the request form's
:class:`~bhcp_ag.ui.attachment_panel.AttachmentsPanel` and of the files shown with their
message in the :class:`~bhcp_ag.ui.conversation_view.ConversationViewer`;
:func:`local_files` reads the files a drag carries.

PDF pages are counted and drawn with QtPdf where this Qt has it; without it a PDF is shown
by its icon, type and size.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap, QResizeEvent
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from bhcp_ag.domain.file_names import name_with_type
from bhcp_ag.domain.limits import ALLOWED_ATTACHMENT_TYPES, PDF
from bhcp_ag.services.attachments import AttachedFile
from bhcp_ag.ui.form_fields import HINT_STYLE

try:  # QtPdf is an optional part of PySide6-Addons; not every platform's wheel has it
    from PySide6.QtPdf import QPdfDocument
except ImportError:  # pragma: no cover - depends on the installed Qt
    QPdfDocument = None  # type: ignore[assignment,misc]


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


def thumbnail(file: AttachedFile, fit: QSize) -> tuple[QImage | None, str]:
    """A small picture of ``file`` (a photo, or a PDF's first page; None when it cannot be
    drawn) and what the file is."""
    if file.mime_type == PDF:
        pages = PdfPages(file.content)
        return pages.first_page(fit), describe(file, pages=pages.count)
    image, size = read_image(file.content, fit)
    detail = describe(file, picture=size)
    return (None, f"{detail} (cannot be shown)") if image.isNull() else (image, detail)


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
        self.setWindowTitle(name_with_type(file.filename, file.mime_type))
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
