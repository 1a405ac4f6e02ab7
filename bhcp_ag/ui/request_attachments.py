"""The advice request form's files: attach them (picker or drop), preview and remove them.

:class:`AttachingForm` is the part of :class:`~bhcp_ag.ui.request_form.RequestForm` that
deals with files; the form itself builds the rest of the dialog, saves and sends. Each file
is saved with the draft at once, so the draft is saved first for its id; a refused file is
named with the reason under the attachments and nothing typed or attached before is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QDialog, QFileDialog, QScrollArea

from bhcp_ag.domain.file_names import shown_name
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.services import attachments as attached
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.attachment_panel import AttachmentsPanel
from bhcp_ag.ui.attachment_preview import AttachmentPreview, local_files


class AttachingForm(QDialog):
    """A request dialog's attachments; the subclass builds the widgets named below."""

    attachments: AttachmentsPanel
    scroll_area: QScrollArea
    conversation_id: str | None
    _workspace: Workspace
    _requests: AdviceRequests

    def save_draft(self) -> bool:
        """Save the draft (the subclass does); False, with the reason shown, if it cannot."""
        raise NotImplementedError

    def current_form(self) -> AdviceRequestForm | None:
        """What is typed (the subclass says); None while no specialty files it."""
        raise NotImplementedError

    def _say(self, text: str, *, problem: bool = False) -> None:
        """Show a line of status beside the buttons (the subclass does)."""
        raise NotImplementedError

    def _build_attachments(self) -> AttachmentsPanel:
        """The attachments panel, wired to attach, preview and remove through this form."""
        self.attachments = AttachmentsPanel()
        self.attachments.attach_button.clicked.connect(self._choose_files)
        self.attachments.files_dropped.connect(self.attach_files)
        self.attachments.preview_requested.connect(self.preview_attachment)
        self.attachments.remove_requested.connect(self.remove_attachment)
        return self.attachments

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Attach files", "", "Images and PDF (*.jpg *.jpeg *.png *.pdf);;All files (*)"
        )
        if paths:
            self.attach_files([Path(path) for path in paths])

    def attach_file(self, path: Path) -> bool:
        """Attach ``path`` (saving the draft first, for its id); a refusal is shown inline."""
        return bool(self.attach_files([path]))

    def attach_files(self, paths: Sequence[Path]) -> list[str]:
        """Attach the acceptable ones of ``paths``; returns their names.

        The draft is saved first, for its id. Each refused file is named with the reason
        under the attachments; nothing typed or attached before is touched.
        """
        self.attachments.clear_problem()
        self.attachments.clear_notice()
        if not paths:
            return []
        if not self.save_draft():
            self.attachments.show_problem(_not_attached(paths, self.current_form() is None))
            return []
        names: list[str] = []
        refusals: list[str] = []
        notes: list[str] = []
        for path in paths:
            outcome = self._attach_one(path)
            if isinstance(outcome, str):
                refusals.append(outcome)
            else:
                names.append(outcome.filename)
                notes += outcome.notes
        self._show_attachments()
        if notes:
            self.attachments.show_notice("\n".join(notes))
        self._report_attached(names, refusals)
        return names

    def _attach_one(self, path: Path) -> attached.AttachedNow | str:
        """Attach one file: what was attached (a photo may have been made smaller, a name
        made safe), else why not."""
        assert self.conversation_id is not None
        shown = shown_name(path.name)
        try:
            return self._requests.attach(self.conversation_id, path.name, attached.read_file(path))
        except OSError as error:
            return f"'{shown}' could not be read: {error.strerror or error}."
        except ValueError as error:  # AttachmentRefused, or the request was sent meanwhile
            return str(error)

    def _report_attached(self, names: list[str], refusals: list[str]) -> None:
        if refusals:
            self.attachments.show_problem("\n".join(refusals))
            self.scroll_area.ensureWidgetVisible(self.attachments.problem)
        if names and not refusals:
            what = f"'{names[0]}'" if len(names) == 1 else f"{len(names)} files"
            self._say(f"{what} attached; the draft is saved.")
        elif refusals:
            count = len(refusals)
            refused = f"{count} file{'s' if count != 1 else ''} could not be attached"
            kept = f"{len(names)} attached; " if names else ""
            self._say(f"{kept}{refused} (see Attachments).", problem=True)

    def _show_attachments(self) -> None:
        files = []
        if self.conversation_id is not None:
            files = attached.conversation_attachments(self._workspace.store, self.conversation_id)
        self.attachments.show_files(files)

    def preview_attachment(self, attachment_id: str) -> AttachmentPreview | None:
        """Open the larger preview of one attached file."""
        file = self.attachments.file(attachment_id)
        return None if file is None else AttachmentPreview.open_for(self, file)

    def remove_attachment(self, attachment_id: str) -> bool:
        """Take one file off the draft; the focus stays with the files (or the attach button)."""
        tiles = self.attachments.tiles
        place = next((i for i, t in enumerate(tiles) if t.file.id == attachment_id), 0)
        self.attachments.clear_problem()
        try:
            name = attached.detach(self._workspace.store, attachment_id)
        except (KeyError, ValueError) as error:
            self.attachments.show_problem(str(error).strip("'\""))
            return False
        self._show_attachments()
        self._say(f"'{name}' removed from the draft.")
        tiles = self.attachments.tiles
        target = tiles[min(place, len(tiles) - 1)].preview_button if tiles else None
        (target or self.attachments.attach_button).setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # --- a file dropped anywhere on the form is attached ------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_files(event.mimeData())
        if not paths:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.attach_files(paths)


def _not_attached(paths: Sequence[Path], no_specialty: bool) -> str:
    names = ", ".join(f"'{path.name}'" for path in paths)
    if no_specialty:
        return f"{names} not attached: choose the specialty first, so the draft can keep it."
    return f"{names} not attached: the draft could not be saved; put the problems above right."
