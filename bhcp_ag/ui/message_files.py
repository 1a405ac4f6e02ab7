"""The files of a sent conversation, each shown with the message it came with.

The :class:`~bhcp_ag.ui.conversation_view.ConversationViewer` writes, under each message,
its files as a thumbnail and a link (the name with its real type, by content, and what
the file is); :class:`MessageFiles` holds the files' bytes and thumbnails for it. A link
is ``attachment:<id>`` and a thumbnail ``thumbnail:<id>``, so that the viewer can find the
file a click asks for and the picture the page shows.

Read-only (what was sent stays as sent); the editable list of a draft's files is
:class:`~bhcp_ag.ui.attachment_panel.AttachmentsPanel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QSize, QUrl
from PySide6.QtGui import QImage

from bhcp_ag.domain.file_names import name_with_type
from bhcp_ag.services.attachments import AttachedFile
from bhcp_ag.services.requests import AttachmentView
from bhcp_ag.ui.attachment_preview import thumbnail

THUMBNAIL = QSize(56, 56)
LINK_SCHEME = "attachment"
THUMBNAIL_SCHEME = "thumbnail"


class MessageFiles:
    """The conversation's files with their thumbnails, made once per content."""

    def __init__(self) -> None:
        self._files: dict[str, AttachedFile] = {}
        self._made: dict[str, tuple[QImage | None, str]] = {}  # by sha256

    def show_files(self, files: Sequence[AttachedFile]) -> None:
        """The files of the conversation now on show (with their bytes)."""
        self._files = {file.id: file for file in files}
        for file in files:
            if file.sha256 not in self._made:
                self._made[file.sha256] = thumbnail(file, THUMBNAIL)

    def file(self, url: QUrl) -> AttachedFile | None:
        """The file an ``attachment:`` link points at."""
        return self._files.get(url.path()) if url.scheme() == LINK_SCHEME else None

    def picture(self, url: QUrl) -> QImage | None:
        """The thumbnail a ``thumbnail:`` source names (None: not one of ours)."""
        file = self._files.get(url.path()) if url.scheme() == THUMBNAIL_SCHEME else None
        return self._made[file.sha256][0] if file is not None else None

    def html(self, attachments: Sequence[AttachmentView]) -> str:
        """``attachments`` as a table: each one's thumbnail, linked name and description."""
        rows = "".join(self._row(a) for a in attachments)
        return f"<table cellspacing='0' cellpadding='2'>{rows}</table>" if rows else ""

    def _row(self, attachment: AttachmentView) -> str:
        link = f"{LINK_SCHEME}:{attachment.id}"
        name = escape(name_with_type(attachment.filename, attachment.mime_type))
        file = self._files.get(attachment.id)
        made = self._made.get(file.sha256) if file is not None else None
        if made is None:  # not in this store (yet): named, not shown
            return f"<tr><td></td><td>{name}<br><span class='muted'>not here yet</span></td></tr>"
        image, detail = made
        picture = f"<img src='{THUMBNAIL_SCHEME}:{attachment.id}'>" if image is not None else ""
        return (
            f"<tr><td><a href='{link}'>{picture}</a></td>"
            f"<td><a href='{link}'>{name}</a><br><span class='muted'>{escape(detail)}</span>"
            "</td></tr>"
        )
