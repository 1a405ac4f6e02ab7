"""Files to send with a reply or response: an attach button, and each file picked so far.

A compact row for the composer: "Attach file…", then one button per file ("arm.png ✕":
activating it removes the file). Files dropped on the composer come here too. What is
picked is kept in the store at once (:meth:`Composer.add_file`), so closing the app loses
nothing; a refused file (wrong type, over 5 MB, unreadable) is named with the reason.
The files of a reply or response the hub refused come back here with its words
(:meth:`Composer.refusals_seen`), to send again or remove.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from bhcp_ag.domain.file_names import name_with_type, shown_name
from bhcp_ag.domain.limits import AttachmentRefused
from bhcp_ag.services.attachments import read_file
from bhcp_ag.services.composer import Composer, PendingFile
from bhcp_ag.ui.attachment_preview import size_text

FILE_FILTER = "Photos and documents (*.jpg *.jpeg *.png *.pdf)"


class ComposerFiles(QWidget):
    """The files waiting to go with the next message of one conversation."""

    problem = Signal(str)
    """Why one or more files were not taken (shown by the composer)."""
    notice = Signal(str)
    """What was changed in files as they were taken: a photo made smaller, a name made
    safe (shown by the composer)."""

    def __init__(self, composer: Composer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._composer = composer
        self._conversation_id: str | None = None
        self.attach_button = QPushButton("Attach &file…")
        self.attach_button.setAccessibleName("Attach a file to send")
        self.attach_button.setToolTip(
            "JPEG, PNG or PDF, up to 5 MB each (a larger photo is made smaller to fit); or drop "
            "files here."
        )
        self.attach_button.setAutoDefault(False)
        self.attach_button.clicked.connect(self._choose)
        self.buttons: list[QToolButton] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self.attach_button)
        self._none = QLabel("")
        self._row.addWidget(self._none)
        self._row.addStretch(1)

    def show_for(self, conversation_id: str | None) -> None:
        self._conversation_id = conversation_id
        self._show(self._composer.files(conversation_id) if conversation_id else [])

    def names(self) -> list[str]:
        return [str(button.property("filename")) for button in self.buttons]

    def add_paths(self, paths: Sequence[Path]) -> list[str]:
        """Keep the acceptable files of ``paths``; returns the names taken."""
        if self._conversation_id is None:
            return []
        taken, refused = [], []
        notes: list[str] = []
        for path in paths:
            try:
                picked = self._composer.add_file(self._conversation_id, path.name, read_file(path))
            except AttachmentRefused as refusal:
                refused.append(str(refusal))
            except OSError:
                shown = shown_name(path.name)
                refused.append(f"'{shown}' could not be read; check that it still exists.")
            else:
                taken.append(picked.filename)
                notes += picked.notes
        if refused:
            self.problem.emit(" ".join(refused))
        if notes:
            self.notice.emit(" ".join(notes))
        self.show_for(self._conversation_id)
        return taken

    def remove(self, file_id: str) -> None:
        self._composer.remove_file(file_id)
        self.show_for(self._conversation_id)
        self.attach_button.setFocus()

    def _choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Attach files", "", FILE_FILTER)
        self.add_paths([Path(name) for name in names])

    def _show(self, files: Sequence[PendingFile]) -> None:
        for button in self.buttons:
            self._row.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for index, file in enumerate(files):
            button = QToolButton()
            button.setText(f"{file.filename} ✕")
            button.setProperty("filename", file.filename)
            named = name_with_type(file.filename, file.mime_type)
            button.setToolTip(f"{named}, {size_text(file.size)}: click to remove it.")
            button.setAccessibleName(f"Remove {named}")
            button.setAutoRaise(True)
            button.clicked.connect(partial(self.remove, file.id))
            self._row.insertWidget(1 + index, button)
            self.buttons.append(button)
