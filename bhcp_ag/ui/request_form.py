"""The GP's advice request form: write, save as a draft, attach files and send.

Open it with :meth:`RequestForm.open_new` or :meth:`RequestForm.open_draft`; both show
the dialog without blocking and return it, so callers and tests share one entry point.

The specialty comes first: a draft is filed under one, so the rest of the form waits,
greyed out under a note, until one is chosen. What the GP types is never thrown away: it
is saved as a draft a moment after they stop typing (:data:`AUTOSAVE_DELAY_MS`) and again
on closing (under the last specialty chosen, should they clear the chooser), and a request
the services refuse stays on screen with each problem under its own field. Files are
attached with the file picker or by dropping them on the form; each is saved with the
draft at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import TWO_WEEK_WAIT_REFUSAL, Priority
from bhcp_ag.domain.request import TEMPLATE_PREFIX, AdviceRequestForm, draft_problems
from bhcp_ag.services.requests import RequestInvalid
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.form_fields import HINT_STYLE, PROBLEM_COLOUR, FieldRow
from bhcp_ag.ui.request_attachments import AttachingForm
from bhcp_ag.ui.request_checks import own_problem, specialty_problem
from bhcp_ag.ui.request_sections import GenericFields, RequestDetails
from bhcp_ag.ui.specialty_chooser import SpecialtyChooser, SpecialtyNote, confirm_change

SPECIALTY_KEY = "specialty_code"
ATTACHMENTS_KEY = "attachments"
AUTOSAVE_DELAY_MS = 2000
"""How long after the last edit the draft is saved: long enough not to save mid-word."""


class RequestForm(AttachingForm):
    """A new or draft advice request. Emits ``request_sent`` or ``draft_saved`` when done."""

    request_sent = Signal(object, str)
    """The :class:`~bhcp_ag.services.requests.Sent` receipt and the specialty's name."""
    draft_saved = Signal(str)
    """The draft's conversation id, after every save (button, autosave, attachment, closing)."""

    @classmethod
    def open_new(cls, parent: QWidget | None, workspace: Workspace) -> RequestForm:
        form = cls(workspace, parent=parent)
        form.open()
        return form

    @classmethod
    def open_draft(
        cls, parent: QWidget | None, workspace: Workspace, conversation_id: str
    ) -> RequestForm:
        form = cls(workspace, conversation_id=conversation_id, parent=parent)
        form.open()
        return form

    def __init__(
        self,
        workspace: Workspace,
        conversation_id: str | None = None,
        parent: QWidget | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._requests = workspace.requests
        self._now = now or (lambda: datetime.now(LONDON))
        self.conversation_id = conversation_id
        self._filed_under: str | None = None
        """The last specialty chosen: the draft stays under it while the chooser is clear."""
        self._shown_code: str | None = None
        """The specialty whose questions are shown."""
        self._asking = False  # while the GP is asked to confirm a change of specialty
        self._dirty = False
        self._close_warned = False
        self._leave_checks: dict[QObject, str] = {}
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.setAcceptDrops(True)  # a file dropped anywhere on the form is attached
        self._build()
        if conversation_id is not None:
            self._load(conversation_id)
        # A new request starts at the specialty, which comes first; a draft at its first
        # field still empty, never in the chooser, where one key would replace the specialty.
        start = self._first_empty() if self._filed_under is not None else self.specialty
        start.setFocus(Qt.FocusReason.OtherFocusReason)
        self._dirty = False  # opening is not a change
        self.autosave_timer.stop()
        app = QCoreApplication.instance()
        if app is not None:  # the app closing with the form open keeps what was typed
            app.aboutToQuit.connect(self.autosave)

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle("Advice request" if self.conversation_id else "New advice request")
        self.setSizeGripEnabled(True)
        self.resize(760, 860)
        self.specialty = SpecialtyChooser(self._workspace.catalogue)
        self.specialty.specialty_changed.connect(self._specialty_changed)
        self.specialty.edit.editingFinished.connect(self._show_specialty_state)
        self.specialty_row = FieldRow("Specialty", self.specialty.as_input(), required=True)
        self.specialty_note = SpecialtyNote()
        self.fields = GenericFields()
        self.fields.priority.on_change(self._priority_changed)
        self._build_attachments().files_changed.connect(self._set_tab_order)
        self.details = RequestDetails(self.fields, self.attachments)
        self.template_box = self.details.template_box
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {PROBLEM_COLOUR};")
        self.summary.setAccessibleName("Problems with this request")
        self.summary.hide()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 20)
        layout.setSpacing(28)
        layout.addWidget(self.summary)
        head = QVBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.specialty_row)
        head.addWidget(self.specialty_note)
        layout.addLayout(head)
        layout.addWidget(self.details)
        layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(body)
        self.scroll_area.setAccessibleName("The request")
        # A click on blank space leaves the focus where it was: were the area to take it,
        # the next Tab would start again at the top, in the specialty chooser.
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll_area, 1)
        outer.addWidget(self._build_buttons())
        self._watch({SPECIALTY_KEY: self.specialty_row, **self.fields.rows})
        self._show_questions(None)
        self._show_specialty_state()

    def _build_buttons(self) -> QWidget:
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Form status")
        self.saved_label = QLabel()
        self.saved_label.setStyleSheet(HINT_STYLE)
        self.saved_label.setAccessibleName("When the draft was last saved")
        self.save_button = QPushButton("Save &draft")
        self.send_button = QPushButton("&Send request")
        self.close_button = QPushButton("&Close")
        self.save_button.clicked.connect(self.save_draft)
        self.send_button.clicked.connect(self.send)
        self.close_button.clicked.connect(self.reject)
        self.save_button.setAccessibleName("Save draft")
        self.send_button.setAccessibleName("Send request")
        self.close_button.setAccessibleName("Close")
        bar = QWidget()
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(16, 10, 16, 12)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.saved_label)
        for button in (self.save_button, self.send_button, self.close_button):
            button.setAutoDefault(False)  # Return in a field must never send the request
            layout.addWidget(button)
        return bar

    def _watch(self, rows: dict[str, FieldRow]) -> None:
        """Note every edit, and check each field as the GP leaves it (or mends it)."""
        for key, row in rows.items():
            row.input.on_change(partial(self._edited, key))
            for widget in row.input.focus_widgets:
                self._leave_checks[widget] = key
                widget.installEventFilter(self)

    def _set_tab_order(self) -> None:
        chain = [*self.specialty_row.input.focus_widgets, *self.fields.focus_widgets()]
        chain += self.attachments.focus_widgets()
        chain += [self.save_button, self.send_button, self.close_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- what is on the form ----------------------------------------------------------

    def _first_empty(self) -> QWidget:
        """The first field still to answer, in the form's order (else Send)."""
        for key, row in self._rows().items():
            asked = key != SPECIALTY_KEY and not row.isHidden()
            if asked and row.input.value() in (None, "", []):
                return row.input.focus_widgets[0]
        return self.send_button

    def _rows(self) -> dict[str, FieldRow]:
        """Every field row by problem key, in the order they are shown."""
        rows = {SPECIALTY_KEY: self.specialty_row, **self.fields.rows}
        for key, row in self.fields.template.rows.items():
            rows[TEMPLATE_PREFIX + key] = row
        return rows

    def current_form(self) -> AdviceRequestForm | None:
        """What is typed, as the services take it; None until a specialty is chosen.

        With the chooser cleared (or naming none) after a choice, the form is filed under
        the last specialty chosen, so it can still be saved; :meth:`send` asks for one.
        """
        code = self.specialty.code() or self._filed_under
        return None if code is None else self.fields.collect(code)

    def has_typed_content(self) -> bool:
        return self.fields.has_content()

    def problem_label(self, key: str) -> QLabel:
        """The label showing the problem with field ``key`` (``template.<key>`` too)."""
        if key == ATTACHMENTS_KEY:
            return self.attachments.problem
        return self._rows()[key].problem

    # --- changes ----------------------------------------------------------------------

    def _changed(self) -> None:
        self._dirty = True
        self._close_warned = False
        self.autosave_timer.start()  # restarted by every edit: saves once typing pauses

    def _edited(self, key: str) -> None:
        self._changed()
        if self._rows()[key].has_problem:  # a shown problem goes as soon as it is mended
            self._recheck(key)

    def _specialty_changed(self) -> None:
        """A specialty chosen brings its questions; a cleared chooser keeps the last one's
        (the draft is still filed under it) until another is chosen. A change that would
        set answers aside is asked first; Cancel puts the old specialty back."""
        if self._asking:
            return
        code = self.specialty.code()
        self.specialty_row.clear_problem()
        if code is not None and not self._may_change_to(code):
            self._asking = True  # putting the old one back is not a change to ask about
            self.specialty.choose(self._filed_under)
            self._asking = False
            if self._dirty:  # held while asking, lest the draft be filed under the new one
                self.autosave_timer.start()
            return
        if code is not None:
            self._filed_under = code
            if code != self._shown_code:
                self._show_questions(code)
        self._show_specialty_state()
        self._changed()

    def _may_change_to(self, code: str) -> bool:
        """True unless moving to ``code`` sets aside answers and the GP says no."""
        old = self._shown_code
        if old is None or code == old:
            return True
        self._asking = True
        self.autosave_timer.stop()  # until the GP answers: the chooser names the new one
        try:
            answered = self.fields.template.typed_answers()
            return confirm_change(self, self._workspace.catalogue, old, code, answered)
        finally:
            self._asking = False

    def _show_questions(self, code: str | None) -> None:
        self._shown_code = code
        self.details.show_specialty(self._workspace.catalogue, code)
        template_rows = self.fields.template.rows
        self._leave_checks = {
            widget: key
            for widget, key in self._leave_checks.items()
            if not key.startswith(TEMPLATE_PREFIX)
        }
        self._watch({TEMPLATE_PREFIX + key: row for key, row in template_rows.items()})
        self._set_tab_order()
        # Lay the new rows out now, not on a later turn of the event loop: what the GP
        # (or a test) does next must find them at their real size.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _show_specialty_state(self) -> None:
        """Keep the form waiting until a specialty is chosen; say what a cleared one means."""
        filed_under = self._filed_under
        for part in (self.details, self.save_button):
            part.setEnabled(filed_under is not None)
        self._priority_changed()
        catalogue = self._workspace.catalogue
        kept_under = filed_under  # a specialty since retired is named by its code
        if filed_under is not None and filed_under in catalogue:
            kept_under = catalogue.get(filed_under).short_name
        note = self.specialty_note.show_for(self.specialty.code() is not None, kept_under)
        self.specialty_row.set_description(note)

    def _priority_changed(self) -> None:
        refused = self.fields.priority.value() == Priority.TWO_WEEK_WAIT
        self.fields.two_week_wait_refusal.setVisible(refused)
        self.send_button.setEnabled(self._filed_under is not None and not refused)
        if refused:
            self.fields.two_week_wait_refusal.setText(TWO_WEEK_WAIT_REFUSAL)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and watched in self._leave_checks:
            self._recheck(self._leave_checks[watched])
        return super().eventFilter(watched, event)

    def _recheck(self, key: str) -> None:
        """Show the problem a field has on its own, or clear one that has been put right."""
        row = self._rows().get(key)
        if row is None:
            return
        message = own_problem(
            key,
            row,
            self.fields.template.template,
            synthetic_patients=self._requests.accepts_synthetic_patients,  # asked if needed
        )
        if message:
            row.show_problem(message)
        elif row.has_problem and row.input.value() not in (None, "", []):
            row.clear_problem()

    # --- saving and sending -----------------------------------------------------------

    def save_draft(self) -> bool:
        """Save what is typed as a draft; False (with the reason shown) if it cannot be."""
        form = self._form_or_problem()
        if form is None:
            return False
        try:
            self._store_draft(form)
        except RequestInvalid as error:
            self.show_problems(error.problems)
            return False
        self._say(self.saved_label.text() + ".")
        return True

    def autosave(self) -> bool:
        """Save the draft quietly if something new is typed and it can be saved as it is.

        Never shows a problem or moves the focus: a draft that cannot be saved yet (no
        specialty, text over the limit) waits for Save or Close, which do say why.
        """
        self.autosave_timer.stop()
        if not (self._dirty and self.has_typed_content()):
            return False
        form = self.current_form()
        if form is None or draft_problems(form):
            return False
        try:
            self._store_draft(form)
        except RequestInvalid:
            return False
        return True

    def _store_draft(self, form: AdviceRequestForm) -> None:
        self.autosave_timer.stop()
        self.conversation_id = self._requests.save_draft(
            self._workspace.user.id, form, self.conversation_id
        )
        self._dirty = False
        self.setWindowTitle("Advice request (draft)")
        self.saved_label.setText(f"Draft saved at {self._now().astimezone(LONDON):%H:%M}")
        self.draft_saved.emit(self.conversation_id)

    def send(self) -> None:
        """Send the request, or show each problem under its field and keep everything typed."""
        form = self._form_or_problem(chosen=True)
        if form is None:
            return
        try:
            sent = self._requests.submit(self._workspace.user.id, form, self.conversation_id)
        except RequestInvalid as error:
            self.show_problems(error.problems)
            return
        self.conversation_id = sent.conversation_id
        self._dirty = False
        self.autosave_timer.stop()
        self.request_sent.emit(sent, self._workspace.catalogue.get(form.specialty_code).short_name)
        self.accept()

    def _form_or_problem(self, *, chosen: bool = False) -> AdviceRequestForm | None:
        """The form, or None with the specialty's problem shown; ``chosen``: the chooser
        must name one now (to send), not only have named one before (to save)."""
        form = self.current_form()
        if form is None or (chosen and self.specialty.code() is None):
            self.show_problems({SPECIALTY_KEY: specialty_problem(self.specialty.edit.text())})
            return None
        return form

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message under its field; focus goes to the first field with a problem."""
        rows = self._rows()
        for key, row in rows.items():
            message = problems.get(key)
            if message is not None:
                row.show_problem(row.input.local_problem() or message)
            else:
                row.clear_problem()
        count = len(problems)
        self._say(f"{count} thing{'s' if count != 1 else ''} to put right first.", problem=True)
        others = [message for key, message in problems.items() if key not in rows]
        self.summary.setText("\n".join(others))
        self.summary.setVisible(bool(others))
        first = next((row for row in rows.values() if row.has_problem), None)
        if first is not None:
            first.focus()
            self.scroll_area.ensureWidgetVisible(first)

    def _say(self, text: str, *, problem: bool = False) -> None:
        """A line beside the buttons: what just happened, or what stops it."""
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {PROBLEM_COLOUR};" if problem else "")

    # --- opening and closing ----------------------------------------------------------

    def _load(self, conversation_id: str) -> None:
        form = self._requests.load_form(conversation_id)
        self._filed_under = form.specialty_code
        self.specialty.choose(form.specialty_code)
        self.fields.fill(form)
        self._show_attachments()
        self._show_specialty_state()
        self.setWindowTitle("Advice request (draft)")

    def reject(self) -> None:
        """Close; typed content is saved as a draft first, never thrown away unasked."""
        unsaved = self._dirty and self.has_typed_content() and not self.save_draft()
        if unsaved and not self._close_warned:
            self._close_warned = True
            self._say(
                "This could not be saved as a draft (see above). Put it right and close "
                "again, or press Close again to discard what you typed.",
                problem=True,
            )
            return
        super().reject()

    def done(self, result: int) -> None:
        self.autosave_timer.stop()
        super().done(result)
