"""Writing in a conversation: a specialist's response, or a GP's reply.

A specialist chooses what the response does (advice with a recommendation, a question
for the GP, or a conversion into a referral where the GP authorised it), may start from
a saved snippet, and sees the due clock while writing. A GP replies with the
information asked for, or asks a follow-up question about advice.

What is typed is saved as a composer draft a moment after each edit, when the user moves
to another conversation and when the window closes; nothing typed is lost. A send that
the services refuse leaves the text in place with the reason beside it; words the hub
refused after they were sent come back here once, with the files they carried and the
hub's reason beside them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import Recommendation, SpecialistOutcome
from bhcp_ag.domain.limits import MAX_TEXT_CHARS
from bhcp_ag.domain.urgency import due_words
from bhcp_ag.services.composer import Composer, FilesBack, Written
from bhcp_ag.services.conversation_actions import Options
from bhcp_ag.ui.attachment_preview import local_files
from bhcp_ag.ui.composer_files import ComposerFiles
from bhcp_ag.ui.formatting import due_sentence, london_time
from bhcp_ag.ui.inline_message import InlineMessage
from bhcp_ag.ui.snippet_picker import SnippetPicker
from bhcp_ag.ui.steady_combo import SteadyComboBox
from bhcp_ag.ui.theme import colours

AUTOSAVE_DELAY_MS = 800
CONVERT_QUESTION = (
    "Converting ends the advice conversation and turns the request into a referral to "
    "your clinic, made in your name; the GP is told, and it cannot be undone. Your "
    "words go to the GP with it.\n\nConvert this request into a referral?"
)

OUTCOME_LABELS = {
    SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE: "&Advice",
    SpecialistOutcome.REQUIRE_FURTHER_INFORMATION: "Ask for &more information",
    SpecialistOutcome.PROVIDER_CONVERTED: "Con&vert to a referral",
}


class ComposerBox(QGroupBox):
    """The text being written in one conversation, and how it is sent.

    ``send_requested(outcome, recommendation, text)``: outcome and recommendation are
    None for a GP's reply. The owner calls the services and then :meth:`sent` or
    :meth:`show_problem`.
    """

    send_requested = Signal(object, object, str)

    def __init__(
        self,
        composer: Composer,
        *,
        specialist: bool,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._composer = composer
        self._specialist = specialist
        self._now = now
        self._conversation_id: str | None = None
        self._due: datetime | None = None
        self._loading = False
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.save_now)
        self._build()

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        self.outcomes = QButtonGroup(self)
        self.outcome_buttons: dict[SpecialistOutcome, QRadioButton] = {}
        self.recommendation = SteadyComboBox()
        self.recommendation.setAccessibleName("Recommendation")
        self.recommendation.addItem("Choose a recommendation…", None)
        for choice in Recommendation:
            self.recommendation.addItem(choice.label, choice.value)
        self.snippets = SnippetPicker(self._composer)
        if self._specialist:
            layout.addLayout(self._outcome_row())
            layout.addLayout(self._recommendation_row())
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Response text" if self._specialist else "Reply text")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(60)  # four lines: on a small screen the thread needs room
        layout.addWidget(self.text, 1)
        # One line, cut short with "…" when narrow, the whole sentence its tooltip: a
        # wrapped label in a splitter is given the height of one and drawn over the text.
        self.due_label = InlineMessage(self.palette().color(QPalette.ColorRole.WindowText))
        self.due_label.setAccessibleName("Due")
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Characters used")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet(f"color: {colours().problem.name()};")
        self.problem.hide()
        self.saved_label = QLabel()
        self.saved_label.setAccessibleName("Draft state")
        self.send_button = QPushButton("&Send")
        self.send_button.setAccessibleName("Send")
        self.send_button.setToolTip("Send (Ctrl+Return)")
        self.send_button.setDefault(False)
        layout.addWidget(self.problem)
        facts = QHBoxLayout()
        facts.addWidget(self.due_label, 1)
        for widget in (self.count_label, self.saved_label):
            facts.addSpacing(10)
            facts.addWidget(widget)
        layout.addLayout(facts)
        self.files = ComposerFiles(self._composer)
        self.files.problem.connect(self.show_problem)
        self.files.notice.connect(self.show_notice)
        self.notice = QLabel()  # what was changed in a file taken (made smaller, renamed)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("What was changed in the attached files")
        self.notice.hide()
        layout.addWidget(self.notice)
        self.setAcceptDrops(True)  # files dropped anywhere on the composer go with it
        self.text.setAcceptDrops(False)  # (else the text box would take a file as its path)
        # A GP's files and Send share the last row; a specialist's snippets go beside
        # Send, under the files. (Every line the composer takes, the thread above loses;
        # a wrapping row is no help: a splitter gives the composer the height of one.)
        bottom = QHBoxLayout()
        if self._specialist:
            layout.addWidget(self.files)
            bottom.addWidget(self.snippets, 1)
            bottom.addStretch(1)
        else:
            bottom.addWidget(self.files, 1)
        bottom.addWidget(self.send_button)
        layout.addLayout(bottom)
        self.text.textChanged.connect(self._edited)
        self.recommendation.currentIndexChanged.connect(self._choice_changed)
        self.outcomes.idToggled.connect(self._outcome_toggled)
        self.snippets.chosen.connect(self._insert_snippet)
        self.snippets.problem.connect(self.show_problem)
        self.snippets.text_to_save = self._text_to_save
        self.send_button.clicked.connect(self._send)
        send = QShortcut(QKeySequence("Ctrl+Return"), self)
        send.setWhatsThis("Send")  # its name in Help's list of shortcuts
        send.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        send.activated.connect(self._send)
        self._update_count()

    def _outcome_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for index, (outcome, label) in enumerate(OUTCOME_LABELS.items()):
            button = QRadioButton(label)
            button.setAccessibleName(label.replace("&", ""))
            self.outcomes.addButton(button, index)
            self.outcome_buttons[outcome] = button
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _recommendation_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel("&Recommendation")
        label.setBuddy(self.recommendation)
        row.addWidget(label)
        row.addWidget(self.recommendation, 1)
        return row

    # --- what the panel calls ----------------------------------------------------------

    def show_for(
        self, conversation_id: str, options: Options, due: datetime | None, prompt: str
    ) -> None:
        """Write in ``conversation_id`` (saving what was written in the previous one)."""
        if conversation_id != self._conversation_id:
            self.save_now()
            self._conversation_id = conversation_id
            self._load(self._composer.load(conversation_id))
            self.files.show_for(conversation_id)
        self._due = due
        self.setTitle(prompt)
        if self._specialist:
            allowed = {
                SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE: options.advise,
                SpecialistOutcome.REQUIRE_FURTHER_INFORMATION: options.ask,
                SpecialistOutcome.PROVIDER_CONVERTED: options.convert,
            }
            for outcome, choice in allowed.items():
                button = self.outcome_buttons[outcome]
                button.setEnabled(choice.allowed)
                button.setToolTip(choice.reason)
        self.refresh_clock()

    def leave(self) -> None:
        """No conversation to write in: keep what was written, then forget it here."""
        self.save_now()
        self._conversation_id = None
        self.files.show_for(None)

    def refresh_clock(self) -> None:
        if self._due is None:
            self.due_label.setText("")
            return
        left = due_words(self._due, self._now())
        self.due_label.setText(f"Due {london_time(self._due)} ({left})")
        self.due_label.setToolTip(due_sentence(self._due, left))
        overdue = self._due < self._now()
        red = colours().overdue.name()
        self.due_label.setStyleSheet(f"color: {red}; font-weight: bold;" if overdue else "")

    def outcome(self) -> SpecialistOutcome | None:
        for outcome, button in self.outcome_buttons.items():
            if button.isChecked():
                return outcome
        return None

    def choose_outcome(self, outcome: SpecialistOutcome) -> None:
        self.outcome_buttons[outcome].setChecked(True)

    def choose_recommendation(self, recommendation: Recommendation) -> None:
        self.recommendation.setCurrentIndex(self.recommendation.findData(recommendation.value))

    def sent(self) -> None:
        """The words went into the outbox (the services deleted the draft)."""
        self._autosave.stop()
        self._loading = True
        self.text.clear()
        self.outcomes.setExclusive(False)
        for button in self.outcome_buttons.values():
            button.setChecked(False)
        self.outcomes.setExclusive(True)
        self.recommendation.setCurrentIndex(0)
        self._loading = False
        self.problem.hide()
        self.saved_label.setText("")
        self.files.show_for(self._conversation_id)  # sent with the words
        self._update_count()

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def show_notice(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.show()

    def save_now(self) -> None:
        """Keep the text being written (called a moment after each edit, and on leaving)."""
        self._autosave.stop()
        if self._conversation_id is None or self._loading:
            return
        self._composer.save(self._conversation_id, self.text.toPlainText(), self._choice())
        if self.text.toPlainText().strip():
            local = self._now().astimezone(LONDON)
            self.saved_label.setText(f"Draft kept {local:%H:%M}")

    # --- files dropped --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._consider(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._consider(event)

    def _consider(self, event: QDragMoveEvent) -> None:
        """Take a drag of local files while there is a conversation to send them in."""
        if local_files(event.mimeData()) and self._conversation_id is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files.add_paths(paths)

    # --- reacting ----------------------------------------------------------------------

    def _load(self, written: Written | None) -> None:
        self._loading = True
        self.text.setPlainText(written.body if written else "")
        self.outcomes.setExclusive(False)
        for button in self.outcome_buttons.values():
            button.setChecked(False)
        self.outcomes.setExclusive(True)
        self.recommendation.setCurrentIndex(0)
        if written is not None and written.choice:
            outcome, _, recommendation = written.choice.partition(":")
            if outcome in self.outcome_buttons:
                self.outcome_buttons[SpecialistOutcome(outcome)].setChecked(True)
            if recommendation:
                self.recommendation.setCurrentIndex(self.recommendation.findData(recommendation))
        self._loading = False
        self.problem.hide()
        self.saved_label.setText("")
        if written is not None and written.restored_from_refusal and self._conversation_id:
            back = self._composer.refusals_seen(self._conversation_id, written)
            self.show_problem(refusal_text(written.restored_from_refusal, back))
        self._update_count()
        self._update_recommendation()

    def _choice(self) -> str | None:
        outcome = self.outcome()
        if outcome is None:
            return None
        recommendation = self.recommendation.currentData()
        return f"{outcome.value}:{recommendation}" if recommendation else outcome.value

    def _edited(self) -> None:
        self._update_count()
        if not self._loading:
            self.problem.hide()
            self._autosave.start()

    def _choice_changed(self) -> None:
        if not self._loading:
            self._autosave.start()

    def _outcome_toggled(self, _id: int, _checked: bool) -> None:
        self._update_recommendation()
        self._choice_changed()

    def _update_recommendation(self) -> None:
        advice = self.outcome() is SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE
        self.recommendation.setEnabled(advice)

    def _update_count(self) -> None:
        used = len(self.text.toPlainText())
        self.count_label.setText(f"{used:,} / {MAX_TEXT_CHARS:,}")
        over = used > MAX_TEXT_CHARS
        self.count_label.setStyleSheet(f"color: {colours().problem.name()};" if over else "")

    def _send(self) -> None:
        text = self.text.toPlainText()
        if not self._specialist:
            self.send_requested.emit(None, None, text)
            return
        outcome = self.outcome()
        if outcome is None:
            self.show_problem("Choose what your response does: advice, a question, or convert.")
            return
        recommendation = self.recommendation.currentData()
        if outcome is SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE and recommendation is None:
            self.show_problem("Choose a recommendation to go with your advice.")
            self.recommendation.setFocus()
            return
        if outcome is SpecialistOutcome.PROVIDER_CONVERTED and not self._conversion_confirmed():
            return  # nothing sent; the words stay in the box
        chosen = Recommendation(recommendation) if recommendation else None
        self.send_requested.emit(outcome, chosen, text)

    def _conversion_confirmed(self) -> bool:
        """Asked once, saying what converting does: it cannot be taken back."""
        answer = QMessageBox.question(
            self,
            "Convert to a referral?",
            CONVERT_QUESTION,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _insert_snippet(self, body: str) -> None:
        self.text.insertPlainText(body)
        self.text.setFocus()

    def _text_to_save(self) -> str:
        """The selected words, or all of them: what "Save as snippet" keeps."""
        selected = self.text.textCursor().selectedText().replace("\u2029", "\n")
        return selected or self.text.toPlainText()


def refusal_text(reason: str, back: FilesBack) -> str:
    """Why the hub refused what was sent, and what of it is back in the composer."""
    names = [file.filename for file in back.restored]
    what = "Your words"
    if len(names) == 1:
        what += f" and {names[0]}"
    elif names:
        what += f" and {len(names)} files ({', '.join(names)})"
    text = f"The hub refused what you sent: {reason} {what} are back here to change or send again."
    if back.missing:
        them = "it" if len(back.missing) == 1 else "them"
        text += (
            f" {', '.join(back.missing)} could not be put back (no longer on this computer): "
            f"attach {them} again."
        )
    return text
