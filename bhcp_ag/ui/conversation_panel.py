"""The selected conversation: read it, and do the next thing the signed-in user can do.

Above, the read-only thread (:class:`ConversationViewer`); below it a row of actions and,
when the user may write in the conversation, the :class:`ComposerBox`. What is possible
comes from the services (:meth:`ConversationActions.options`): a button the user cannot
use now is disabled, and its tooltip says why ("Dr Rao claimed this request at 09:12").

Where the thread ends and the composer begins is the user's to move; the split is kept in
``QSettings`` (when the panel is given them) and comes back the next time the panel is built.

Every action is a local change queued for the hub; ``changed`` tells the window, which
reads the list again and asks for a sync. A refused action leaves everything typed in
place and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.actions import advice_given
from bhcp_ag.domain.conversation import (
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    Role,
    SpecialistOutcome,
    Status,
    referral_to_make,
)
from bhcp_ag.domain.minimum import content_view
from bhcp_ag.services.attachments import conversation_attachments
from bhcp_ag.services.conversation_actions import ActionRefused, Choice, Done, Options
from bhcp_ag.services.record_text import advice_as_text
from bhcp_ag.services.requests import ConversationView
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.composer import ComposerBox
from bhcp_ag.ui.conversation_view import ConversationViewer, place_to_read
from bhcp_ag.ui.flow_layout import FlowLayout
from bhcp_ag.ui.outcome_dialogs import CancelRequestDialog, CloseConversationDialog, Closing
from bhcp_ag.ui.redirect_dialog import RedirectDialog
from bhcp_ag.ui.theme import colours

DONE_TEXT = {
    "conversation.claim": "You claimed the request.",
    "conversation.release": "The request is back in the queue, unclaimed.",
    "conversation.reply": "Reply sent.",
    "conversation.close": "Conversation closed.",
    "conversation.cancel": "Request cancelled.",
    "conversation.redirect": "Passed to another specialty; it has left your queue.",
}
RESPONSE_TEXT = {
    Status.ADVICE_RETURNED: "Advice sent to the GP.",
    Status.MORE_INFO_REQUESTED: "Question sent to the GP.",
    Status.CONVERTED: "Converted into a referral.",
}
SYNC_NOTE = " It goes to the hub at the next sync."
SPLIT_KEY = "conversation_panel/split"
"""The ``QSettings`` key of the thread's and the composer's heights, as the user left them."""


class ConversationPanel(QWidget):
    """One conversation and its actions for the signed-in user."""

    changed = Signal(str, str)
    """(conversation id, a sentence for the status bar) after a change was made."""

    def __init__(
        self,
        workspace: Workspace,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._now = now
        self._settings = settings
        self._view: ConversationView | None = None
        self._options: Options | None = None
        role = workspace.user.role
        self._content = content_view(role)  # a practice manager's: the review only
        self.viewer = ConversationViewer(workspace.catalogue, now)
        self._attachment_ids: tuple[str, ...] = ()
        self.composer = ComposerBox(workspace.composer, specialist=role is Role.SPECIALIST, now=now)
        self.composer.send_requested.connect(self._send)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet(f"color: {colours().problem.name()};")
        self.problem.hide()
        self._build_actions(role)
        self._build_layout()
        self.show_nothing()

    # --- building ----------------------------------------------------------------------

    def _button(self, text: str, shortcut: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda: button.isEnabled() and button.isVisible() and slot())
        self.addAction(action)
        button.clicked.connect(lambda: slot())
        button.setProperty("shortcut_text", shortcut)
        return button

    def _build_actions(self, role: Role) -> None:
        self.claim_button = self._button("C&laim", "Ctrl+K", self.claim)
        self.release_button = self._button("&Release", "Ctrl+Shift+K", self.release)
        self.close_button = self._button(
            "Close with &outcome…", "Ctrl+Shift+W", self.close_conversation
        )
        self.cancel_button = self._button("Cancel re&quest…", "Ctrl+Shift+Del", self.cancel_request)
        self.copy_button = self._button("&Copy as text", "Ctrl+Shift+C", self.copy_as_text)
        self.redirect_button = self._button(
            "&Pass to another specialty…", "Ctrl+Shift+P", self.redirect
        )
        self._redirect_notes: dict[str, str] = {}  # a note typed, kept until it is sent
        self.claim_label = QLabel()
        self.claim_label.setAccessibleName("Claimed by")
        specialist_side = role in (Role.SPECIALIST, Role.ADMIN)
        gp_side = role in (Role.GP, Role.ADMIN)
        self.claim_button.setVisible(role is Role.SPECIALIST)
        self.redirect_button.setVisible(role is Role.SPECIALIST)
        self.release_button.setVisible(specialist_side)
        self.close_button.setVisible(role is Role.GP)
        self.cancel_button.setVisible(gp_side)
        self.composer.setVisible(False)

    def _build_layout(self) -> None:
        # The buttons wrap onto a second line in a narrow panel rather than widen it: on a
        # small screen a long "Claimed by" squeezed the list beside it to one column.
        actions = FlowLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        self.claim_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        for widget in (
            self.claim_button,
            self.release_button,
            self.redirect_button,
            self.claim_label,
            self.copy_button,
            self.close_button,
            self.cancel_button,
        ):
            actions.addWidget(widget)
        bar = QWidget()
        bar.setLayout(actions)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.viewer, 1)
        top_layout.addWidget(bar)
        top_layout.addWidget(self.problem)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.composer)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(self._keep_split)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    # --- showing -----------------------------------------------------------------------

    @property
    def conversation_id(self) -> str | None:
        return self._view.id if self._view is not None else None

    def show_nothing(self) -> None:
        self.composer.leave()
        self._view, self._options = None, None
        self.viewer.show_nothing()
        self._attachment_ids = ()
        self.viewer.files.show_files([])
        for button in self._buttons():
            button.setEnabled(False)
            button.setToolTip("")
        self.claim_label.setText("")
        self.problem.hide()
        self.composer.setVisible(False)

    def show_conversation(self, conversation_id: str, *, to_place: bool = False) -> None:
        """Show ``conversation_id`` as the store has it now (again, after a sync).

        A conversation newly shown, or ``to_place``, opens at the message to read
        (:func:`~bhcp_ag.ui.conversation_view.place_to_read`); shown again, it stays
        where the reader was."""
        opened = conversation_id != self.conversation_id
        if opened:
            self.problem.hide()
        view = self._workspace.requests.view(conversation_id, self._content)
        options = self._workspace.actions.options(self._workspace.user, conversation_id)
        self._view, self._options = view, options
        self._show_attachments(view)
        self._show_options(view, options)
        place = place_to_read(view, self._workspace.user.role) if opened or to_place else None
        self.viewer.show_conversation(view, place)

    def _show_attachments(self, view: ConversationView) -> None:
        """The conversation's files for the thread's thumbnails (read again only when they
        change)."""
        ids = tuple(a.id for a in view.attachments)
        if ids != self._attachment_ids:
            self._attachment_ids = ids
            files = conversation_attachments(self._workspace.store, view.id) if ids else []
            self.viewer.files.show_files(files)

    def refresh(self) -> None:
        if self.conversation_id is not None:
            try:
                self.show_conversation(self.conversation_id)
            except KeyError:  # gone (a discarded draft)
                self.show_nothing()

    def refresh_clock(self) -> None:
        self.composer.refresh_clock()

    def save_typing(self) -> None:
        """Keep what is being written now (the window is closing, say)."""
        self.composer.save_now()

    def _buttons(self) -> tuple[QPushButton, ...]:
        return (
            self.claim_button,
            self.release_button,
            self.close_button,
            self.cancel_button,
            self.copy_button,
            self.redirect_button,
        )

    def _show_options(self, view: ConversationView, options: Options) -> None:
        status = Status(view.status)
        _enable(self.claim_button, options.claim)
        _enable(self.release_button, options.release)
        _enable(self.close_button, options.close)
        _enable(self.cancel_button, options.cancel)
        _enable(self.redirect_button, options.redirect)
        self.cancel_button.setText(
            "&Discard draft…" if status is Status.DRAFT else "Cancel re&quest…"
        )
        self.copy_button.setEnabled(bool(view.messages))
        self.copy_button.setToolTip("Copy the conversation as plain text for the patient's record")
        who = view.claimed_by_name if status.is_open else None
        self.claim_label.setText(f"Claimed by {who}" if who else "")
        self._show_composer(view, options, status)

    def _show_composer(self, view: ConversationView, options: Options, status: Status) -> None:
        role = self._workspace.user.role
        if role is Role.SPECIALIST:
            writable = options.advise.allowed or options.ask.allowed or options.convert.allowed
            prompt = "Your response"
        elif role is Role.GP:
            writable = options.reply.allowed
            prompt = (
                "Reply with the information asked for"
                if status is Status.MORE_INFO_REQUESTED
                else "Ask a follow-up question about the advice"
            )
        else:
            writable = False
            prompt = ""
        if not writable:
            self.composer.leave()
            self.composer.setVisible(False)
            self.updateGeometry()  # the window's splitter may give the list room back
            return
        due = view.due_at if status is Status.AWAITING_SPECIALIST else None
        self.composer.show_for(view.id, options, due, prompt)
        if not self.composer.isVisibleTo(self):
            self.composer.setVisible(True)
            # A QSplitter does not tell its parent that a child shown widens it: without
            # this the panel kept the narrow minimum it had and cut the composer off.
            self.splitter.updateGeometry()
            self.updateGeometry()
            top, below = self.splitter.sizes()
            if below < self.composer.minimumSizeHint().height():  # shown for the first time
                self.splitter.setSizes(self._kept_split() or self._first_split(top + below))

    def _first_split(self, total: int) -> list[int]:
        # The composer at its smallest or two-fifths, whichever is more: the thread keeps
        # the rest (on a small screen the composer's natural height left it 45 px).
        room = max(self.composer.minimumSizeHint().height(), total * 2 // 5)
        return [max(total - room, 0), room]

    def _kept_split(self) -> list[int] | None:
        """The heights the user last gave the thread and the composer, if any."""
        kept = self._settings.value(SPLIT_KEY) if self._settings is not None else None
        try:
            sizes = [int(size) for size in kept] if isinstance(kept, list) else []
        except ValueError:  # not written by this panel
            return None
        return sizes if len(sizes) == 2 and min(sizes) > 0 else None

    def _keep_split(self) -> None:
        """The user moved the split: remember it."""
        sizes = self.splitter.sizes()
        if self._settings is not None and self.composer.isVisibleTo(self) and min(sizes) > 0:
            self._settings.setValue(SPLIT_KEY, sizes)

    # --- acting ------------------------------------------------------------------------

    def claim(self) -> bool:
        return self._act(lambda user, cid: self._workspace.actions.claim(user, cid))

    def release(self) -> bool:
        return self._act(lambda user, cid: self._workspace.actions.release(user, cid))

    def close_conversation(
        self,
        outcome: ClosingOutcome | None = None,
        useful: AdviceUseful | None = None,
        note: str = "",
    ) -> bool:
        """Close with ``outcome`` (and whether the advice was useful, and a note), asking
        for them when the outcome is not given."""
        if self.conversation_id is None:
            return False
        advised = self._view is not None and advice_given(m.kind for m in self._view.messages)
        chosen = (
            Closing(outcome, useful, note)
            if outcome is not None
            else CloseConversationDialog.ask(
                self,
                had_advice=advised,
                referral_recommended=self._view is not None
                and referral_to_make(self._view.status, self._view.recommendation),
            )
        )
        if chosen is None:
            return False
        return self._act(
            lambda user, cid: self._workspace.actions.close(
                user, cid, chosen.outcome, chosen.useful, chosen.note
            )
        )

    def redirect(self, specialty_code: str | None = None, note: str | None = None) -> bool:
        """Pass the request to another specialty, asking where and why when not given. A
        note typed in the dialog is kept (for this conversation) until it is sent."""
        cid, view = self.conversation_id, self._view
        if cid is None or view is None:
            return False
        if specialty_code is None or note is None:
            kept = self._redirect_notes.get(cid, "")
            catalogue = self._workspace.catalogue
            answer, self._redirect_notes[cid] = RedirectDialog.ask(
                self, catalogue, view.specialty_code, kept
            )
            if answer is None:
                return False
            specialty_code, note = answer.specialty_code, answer.note
        chosen_code, chosen_note = specialty_code, note
        done = self._act(
            lambda user, c: self._workspace.actions.redirect(user, c, chosen_code, chosen_note)
        )
        if done:
            self._redirect_notes.pop(cid, None)
        else:
            self._redirect_notes[cid] = chosen_note
        return done

    def cancel_request(self, reason: str | None = None) -> bool:
        """Cancel the request (or discard a draft), asking for a reason when not given."""
        if self.conversation_id is None:
            return False
        given = reason if reason is not None else CancelRequestDialog.ask(self)
        if given is None:
            return False
        return self._act(lambda user, cid: self._workspace.actions.cancel(user, cid, given))

    def copy_as_text(self) -> str:
        """Put the conversation on the clipboard as plain text; returns the text."""
        if self._view is None:
            return ""
        text = advice_as_text(self._view, self.viewer.template_of(self._view))
        QGuiApplication.clipboard().setText(text)
        self.changed.emit(self._view.id, "Copied as text: paste it into the patient's record.")
        return text

    def respond(
        self,
        outcome: SpecialistOutcome,
        text: str,
        recommendation: Recommendation | None = None,
    ) -> bool:
        """Send a response (what the Send button does after its checks)."""
        return self._act(
            lambda user, cid: self._workspace.actions.respond(
                user, cid, outcome, text, recommendation
            ),
            from_composer=True,
        )

    def reply(self, text: str) -> bool:
        return self._act(
            lambda user, cid: self._workspace.actions.reply(user, cid, text),
            from_composer=True,
        )

    def _send(
        self, outcome: SpecialistOutcome | None, recommendation: Recommendation | None, text: str
    ) -> None:
        if outcome is None:
            self.reply(text)
        else:
            self.respond(outcome, text, recommendation)

    def _act(self, action: Callable[..., Done], *, from_composer: bool = False) -> bool:
        cid = self.conversation_id
        if cid is None:
            return False
        if from_composer:
            self.composer.save_now()  # kept, whatever happens next
        try:
            done = action(self._workspace.user, cid)
        except ActionRefused as refused:
            if from_composer:
                self.composer.show_problem(str(refused))
            else:
                self.problem.setText(str(refused))
                self.problem.show()
            return False
        if from_composer:
            self.composer.sent()
        self.problem.hide()
        if done.action.value == "conversation.cancel" and done.change_id is None:
            self.show_nothing()
            self.changed.emit(cid, "Draft discarded.")
            return True
        self.show_conversation(cid, to_place=True)  # at what was just done
        text = (
            RESPONSE_TEXT.get(done.status) if done.action.value == "conversation.respond" else None
        )
        self.changed.emit(cid, (text or DONE_TEXT.get(done.action.value, "Done.")) + SYNC_NOTE)
        return True


def _enable(button: QPushButton, choice: Choice) -> None:
    button.setEnabled(choice.allowed)
    shortcut = button.property("shortcut_text")
    tip = choice.reason if not choice.allowed else f"{button.accessibleName()} ({shortcut})"
    button.setToolTip(tip)
