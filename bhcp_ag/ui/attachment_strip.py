"""The files of a sent conversation, as a row of thumbnails: click one to see it large.

Read-only (what was sent stays as sent); the editable list of a draft's files is
:class:`~bhcp_ag.ui.attachment_panel.AttachmentsPanel`. Each button shows a thumbnail (a
photo decoded small, or a PDF's first page where QtPdf is available) and the file name;
its tooltip and accessible name describe the file. Activating it opens the
:class:`~bhcp_ag.ui.attachment_preview.AttachmentPreview`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

from bhcp_ag.domain.file_names import TYPE_WORDS, name_with_type
from bhcp_ag.domain.limits import PDF
from bhcp_ag.services.attachments import AttachedFile
from bhcp_ag.ui.attachment_preview import AttachmentPreview, PdfPages, describe, read_image

THUMBNAIL = QSize(56, 56)


class AttachmentStrip(QWidget):
    """The attachments of the conversation on show; hidden when it has none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Attachments")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._title = QLabel("Attachments:")
        self._layout.addWidget(self._title)
        self._layout.addStretch(1)
        self.buttons: list[QToolButton] = []
        self._files: list[AttachedFile] = []
        self.preview: AttachmentPreview | None = None
        self.hide()

    def show_files(self, files: Sequence[AttachedFile]) -> None:
        for button in self.buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons, self._files = [], list(files)
        for index, file in enumerate(self._files):
            button = self._button(file)
            button.clicked.connect(partial(self.open_preview, index))
            self._layout.insertWidget(1 + index, button)
            self.buttons.append(button)
        self.setVisible(bool(self._files))

    def open_preview(self, index: int) -> AttachmentPreview:
        self.preview = AttachmentPreview.open_for(self.window(), self._files[index])
        return self.preview

    def _button(self, file: AttachedFile) -> QToolButton:
        icon, detail = self._thumbnail(file)
        button = QToolButton()
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        button.setIcon(icon)
        button.setIconSize(THUMBNAIL)
        name = file.filename if len(file.filename) <= 18 else file.filename[:16] + "…"
        kind = TYPE_WORDS.get(file.mime_type, "file")
        button.setText(f"{name}\n{kind}")  # the real type, by content, whatever the name says
        named = name_with_type(file.filename, file.mime_type)
        button.setToolTip(f"{named}: {detail}. Click to see it large.")
        button.setAccessibleName(f"Attachment {named}, {detail}: open")
        button.setAutoRaise(True)
        return button

    def _thumbnail(self, file: AttachedFile) -> tuple[QIcon, str]:
        if file.mime_type == PDF:
            pages = PdfPages(file.content)
            page = pages.first_page(THUMBNAIL)
            detail = describe(file, pages=pages.count)
            if page is not None:
                return QIcon(QPixmap.fromImage(page)), detail
            return self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon), detail
        image, size = read_image(file.content, THUMBNAIL)
        detail = describe(file, picture=size)
        if image.isNull():
            return self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon), detail
        return QIcon(QPixmap.fromImage(image)), detail
