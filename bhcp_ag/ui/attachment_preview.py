"""Attached files shown large, and what they are: the pieces every attachment view shares.

:class:`AttachmentPreview` shows one file large: a photo, or a PDF's first page, fitted
to the window and zoomed and moved about as the reader wants
(:class:`~bhcp_ag.ui.zoomable_picture.ZoomablePicture`). :func:`thumbnail` (from
:func:`read_image`, :class:`PdfPages` and :func:`describe`) makes the thumbnails and
descriptions of the request form's :class:`~bhcp_ag.ui.attachment_panel.AttachmentsPanel`
and of the files shown with their message in the
:class:`~bhcp_ag.ui.conversation_view.ConversationViewer`; :func:`local_files` reads the
files a drag carries.

PDF pages are counted and drawn with QtPdf where this Qt has it; without it a PDF is shown
by its icon, type and size.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt
from PySide6.QtGui import QAction, QImage, QImageReader, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.file_names import name_with_type
from bhcp_ag.domain.limits import ALLOWED_ATTACHMENT_TYPES, PDF
from bhcp_ag.services.attachments import AttachedFile
from bhcp_ag.ui.form_fields import HINT_STYLE
from bhcp_ag.ui.zoomable_picture import ZoomablePicture

try:  # QtPdf is an optional part of PySide6-Addons; not every platform's wheel has it
    from PySide6.QtPdf import QPdfDocument
except ImportError:  # pragma: no cover - depends on the installed Qt
    QPdfDocument = None  # type: ignore[assignment,misc]


LARGEST_PICTURE = QSize(6000, 6000)
PDF_PAGE = QSize(2400, 2400)
ZOOM_IN_KEYS = ("Ctrl++", "Ctrl+=")  # "=" is "+" without Shift on most keyboards
ZOOM_OUT_KEYS = ("Ctrl+-",)
FIT_KEYS = ("Ctrl+0",)
ACTUAL_KEYS = ("Ctrl+1",)


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


class AttachmentPreview(QDialog):
    """One attachment shown large: a photo, or a PDF's first page, fitted to the window at
    first; zoom in and out (Ctrl++, Ctrl+-, Ctrl and the wheel, or the buttons), drag to
    move about, Ctrl+0 to fit it again."""

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
            image, size = pages.first_page(PDF_PAGE), None
        else:  # decoded at most this large: enough to zoom in on a lesion's border
            image, size = read_image(file.content, LARGEST_PICTURE)
        self.picture = ZoomablePicture(image)
        self.picture.setAccessibleName(f"Preview of {file.filename}")
        self.message = QLabel(self._no_preview_text(file))
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setVisible(self.picture.image is None)
        self.picture.setVisible(self.picture.image is not None)
        self.details = QLabel(describe(file, pages=pages.count if pages else None, picture=size))
        self.details.setAccessibleName("About this file")
        self.details.setStyleSheet(HINT_STYLE)
        self.close_button = QPushButton("&Close")
        self.close_button.setAccessibleName("Close the preview")
        self.close_button.clicked.connect(self.accept)
        self.close_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self._zoom_row())
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.close_button.setFocus()

    def _zoom_row(self) -> QHBoxLayout:
        """Zoom out, the zoom, zoom in, fit and actual size, each with its shortcut."""
        picture = self.picture
        self.zoom_out_button = self._zoom_button("Zoom out", "−", ZOOM_OUT_KEYS, picture.zoom_out)
        self.zoom_in_button = self._zoom_button("Zoom in", "+", ZOOM_IN_KEYS, picture.zoom_in)
        self.fit_button = self._zoom_button(
            "Fit to window", "&Fit to window", FIT_KEYS, picture.fit
        )
        self.actual_button = self._zoom_button(
            "Actual size", "&Actual size", ACTUAL_KEYS, picture.actual_size
        )
        self.zoom_label = QLabel()
        self.zoom_label.setAccessibleName("Zoom")
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("1600%"))
        picture.zoom_changed.connect(self._show_zoom)
        self._show_zoom(picture.scale_factor())
        row = QHBoxLayout()
        for widget in (self.zoom_out_button, self.zoom_label, self.zoom_in_button):
            row.addWidget(widget)
        row.addWidget(self.fit_button)
        row.addWidget(self.actual_button)
        row.addStretch(1)
        return row

    def _zoom_button(
        self, name: str, text: str, keys: tuple[str, ...], slot: Callable[[], None]
    ) -> QToolButton:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(key) for key in keys])
        action.setToolTip(f"{name} ({keys[0]})")
        action.triggered.connect(slot)
        action.setEnabled(self.picture.image is not None)
        self.addAction(action)
        button = QToolButton()
        button.setDefaultAction(action)
        button.setAccessibleName(name)
        return button

    def _show_zoom(self, factor: float) -> None:
        self.zoom_label.setText(f"{factor:.0%}" if self.picture.image is not None else "")

    @staticmethod
    def _no_preview_text(file: AttachedFile) -> str:
        if file.mime_type == PDF:
            return "A preview of PDF files is not available on this computer."
        return f"'{file.filename}' cannot be shown: its picture could not be read."

    def shown_size(self) -> QSize:
        """The size the picture is shown at (empty when there is no picture)."""
        return self.picture.shown_size()
