"""The read-only view of one conversation: the request as sent and the messages since.

Rendered as simple HTML in a :class:`QTextBrowser`, which is selectable, keyboard
accessible and read by screen readers. Every piece of text that came from a person is
escaped with :func:`html.escape`: a question that contains ``<b>`` is shown, not obeyed.

A conversation opens where the reader has work to do (:func:`place_to_read`): at the
message waiting for this user's answer (the specialist's question, for the GP; the request,
for a specialist who has not answered it), or else at the newest message. Shown again
(after a sync, say) it stays where the reader left it.

Each file is shown with the message it came with (:mod:`~bhcp_ag.ui.message_files`);
clicking it, or Enter on its link, opens it large.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from html import escape

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWidgets import QTextBrowser, QWidget

from bhcp_ag.domain.actions import MESSAGE_KIND_LABELS
from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import (
    TERMINAL_STATUSES,
    AdviceUseful,
    ClosingOutcome,
    ConvertAuthorisation,
    Priority,
    Recommendation,
    Role,
    Status,
    WouldHaveReferred,
)
from bhcp_ag.domain.minimum import REVIEW_NOTE
from bhcp_ag.domain.patient import Sex, age_in_years
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.templates import RequestTemplate
from bhcp_ag.domain.urgency import due_words
from bhcp_ag.services.record_text import (
    files_by_message,
    patient_name,
    request_message_id,
    template_answer_rows,
)
from bhcp_ag.services.requests import ConversationView, MessageView
from bhcp_ag.store.models import utcnow
from bhcp_ag.ui.attachment_preview import AttachmentPreview
from bhcp_ag.ui.conversation_model import OVERDUE_STATUSES
from bhcp_ag.ui.formatting import (
    NOT_SET,
    label_of,
    london_time,
    long_london_time,
    nhs_number_text,
    short_date,
)
from bhcp_ag.ui.message_files import MessageFiles
from bhcp_ag.ui.theme import colours

MESSAGE_KINDS = MESSAGE_KIND_LABELS

CONVERT_LABELS = {
    ConvertAuthorisation.AUTHORISED_TO_CONVERT.value: "Yes: the specialist may convert it",
    ConvertAuthorisation.NOT_AUTHORISED_TO_CONVERT.value: "No: advice only",
}


def _style() -> str:
    """The view's style sheet in the colours of the system's light or dark scheme."""
    c = colours()
    return f"""
<style>
h2 {{ margin: 0 0 2px 0; font-size: large; }}
h3 {{ margin: 14px 0 4px 0; font-size: medium; color: {c.heading.name()}; }}
p {{ margin: 2px 0 6px 0; }}
td.k {{ color: {c.muted.name()}; padding: 1px 12px 1px 0; }}
td.v {{ padding: 1px 0; }}
.muted {{ color: {c.muted.name()}; }}
.overdue {{ color: {c.overdue.name()}; font-weight: bold; }}
.meta {{ color: {c.muted.name()}; }}
p.banner {{ margin: 0 0 8px 0; padding: 4px 0; font-size: medium; }}
</style>
"""


PLACEHOLDER = "<p class='muted'>Choose a conversation in the list to read it here.</p>"
REQUEST_ANCHOR = "request"
"""The anchor at the request's question, above its details."""


def message_anchor(index: int) -> str:
    """The anchor at the start of the ``index``-th message of the thread."""
    return f"message-{index}"


def place_to_read(view: ConversationView, role: Role) -> str:
    """The anchor to open ``view`` at for a user in ``role``: the message that waits for
    their answer when it is their move, else the newest message ("" when none)."""
    messages = view.messages
    if Status(view.status).next_action_by is role:
        waiting = [i for i, m in enumerate(messages) if m.author_role != role.value]
        if waiting and messages[waiting[-1]].kind != "request":
            return message_anchor(waiting[-1])
        if messages:  # the request itself: its question and details
            return REQUEST_ANCHOR
    return message_anchor(len(messages) - 1) if messages else ""


class ConversationViewer(QTextBrowser):
    """Shows one :class:`ConversationView`; never edits anything."""

    def __init__(
        self,
        catalogue: SpecialtyCatalogue,
        now: Callable[[], datetime] = utcnow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._now = now
        self.setOpenLinks(False)
        self.anchorClicked.connect(self.open_attachment)
        self.files = MessageFiles()
        self.preview: AttachmentPreview | None = None
        self.setAccessibleName("Conversation")
        self.document().setDocumentMargin(12)
        self._place = ""
        # Once more when the layout has settled: the composer may take room as it opens.
        self._scroll_again = QTimer(self)
        self._scroll_again.setSingleShot(True)
        self._scroll_again.setInterval(0)
        self._scroll_again.timeout.connect(self._scroll_to_place)
        self.show_nothing()

    def show_nothing(self) -> None:
        self._place = ""
        self.setHtml(_style() + PLACEHOLDER)

    def show_conversation(self, view: ConversationView, place: str | None = None) -> None:
        """Show ``view`` scrolled to the anchor ``place`` (:func:`place_to_read`); with
        None, where the reader had scrolled to."""
        kept = self.verticalScrollBar().value()
        self.setHtml(self._html(view))
        if place is None:
            self.verticalScrollBar().setValue(kept)
            return
        self._place = place
        self._scroll_to_place()
        self._scroll_again.start()

    def open_attachment(self, link: QUrl) -> AttachmentPreview | None:
        """Open the file an ``attachment:`` link points at, large."""
        file = self.files.file(link)
        if file is not None:
            self.preview = AttachmentPreview.open_for(self.window(), file)
        return self.preview if file is not None else None

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        """The files' thumbnails, which the page names ``thumbnail:<id>``."""
        picture = self.files.picture(QUrl(name))
        return picture if picture is not None else super().loadResource(kind, name)

    def _scroll_to_place(self) -> None:
        if self._place:
            self.scrollToAnchor(self._place)
        else:
            self.verticalScrollBar().setValue(0)

    def _html(self, view: ConversationView) -> str:
        if view.review:
            return "".join([_style(), _heading(view, self._now()), _review_section(view)])
        files = {key: self.files.html(shown) for key, shown in files_by_message(view).items()}
        parts = [
            _style(),
            _patient_banner(view, self._now().astimezone(LONDON).date()),
            _heading(view, self._now()),
            _patient_section(view, self._now().astimezone(LONDON).date()),
            _request_section(view, files.get(request_message_id(view), "")),
            _template_section(view.form.template_answers, self.template_of(view)),
            _referral_section(view),
            _thread_section(view.messages, files),
        ]
        return "".join(parts)

    def template_of(self, view: ConversationView) -> RequestTemplate | None:
        """The specialty's request template, or None when there is none to be had."""
        try:
            return self._catalogue.template(view.form.specialty_code)
        except (KeyError, OSError, ValueError):  # no template: show the raw answers
            return None


def _text(value: str) -> str:
    """Escaped text with its line breaks kept."""
    return escape(value).replace("\n", "<br>") if value.strip() else NOT_SET


def _table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of escaped labels and already-escaped values."""
    body = "".join(
        f"<tr><td class='k'>{escape(label)}</td><td class='v'>{value}</td></tr>"
        for label, value in rows
    )
    return f"<table cellspacing='0'>{body}</table>"


def _heading(view: ConversationView, now: datetime) -> str:
    status = Status(view.status)
    due = long_london_time(view.due_at)
    if view.due_at is not None and view.status in OVERDUE_STATUSES:
        left = due_words(view.due_at, now)
        css = "overdue" if view.due_at < now else "muted"
        due += f" <span class='{css}'>({escape(left)})</span>"
    rows = [
        ("Status", escape(status.label)),
        ("Priority", escape(label_of(Priority, view.form.priority))),
        ("Requested by", escape(view.requester_name)),
        ("Practice", escape(view.practice_name or NOT_SET)),
        ("Submitted", escape(long_london_time(view.submitted_at))),
        ("Due", due),
    ]
    who = status.next_action_by
    if who is not None and who is not Role.SYSTEM:
        rows.append(("Next action by", escape(who.label)))
    if view.claimed_by_name and status.is_open:
        rows.append(("Claimed by", escape(view.claimed_by_name)))
    passed = (
        f"<p class='muted'>Passed on from {escape(view.passed_from)}: "
        "the answers below are to its form.</p>"
        if view.passed_from
        else ""
    )
    return f"<h2>{escape(view.specialty_name)}</h2>{passed}{_table(rows)}"


def _patient_banner(view: ConversationView, today: date) -> str:
    """The patient's three identifiers at the top, as every NHS screen about a patient
    has them: name, date of birth and NHS number, so identity is checked before reading."""
    form = view.form
    born = short_date(form.patient_birth_date)
    if form.patient_birth_date is not None and form.patient_birth_date <= today:
        born += f" ({age_in_years(form.patient_birth_date, today)}y)"
    parts = [
        f"<b>{escape(patient_name(view))}</b>",
        f"Born {escape(born)}",
        f"NHS number {escape(nhs_number_text(form.patient_nhs_number) or NOT_SET)}",
    ]
    return f"<p class='banner'>{' &nbsp;|&nbsp; '.join(parts)}</p>"


def _patient_section(view: ConversationView, today: date) -> str:
    form = view.form
    birth = short_date(form.patient_birth_date)
    if form.patient_birth_date is not None and form.patient_birth_date <= today:
        birth += f" (age {age_in_years(form.patient_birth_date, today)})"
    rows = [
        ("Name", escape(patient_name(view))),
        ("NHS number", escape(nhs_number_text(form.patient_nhs_number) or NOT_SET)),
        ("Date of birth", escape(birth)),
        ("Sex", escape(label_of(Sex, form.patient_sex))),
    ]
    return "<h3>Patient</h3>" + _table(rows)


def _request_section(view: ConversationView, files: str) -> str:
    form = view.form
    parts = [
        f"<h3><a name='{REQUEST_ANCHOR}'>Question</a></h3>",
        f"<p>{_text(form.question)}</p>",
    ]
    for title, value in (
        ("Clinical summary", form.clinical_summary),
        ("Current medication", form.medication),
        ("Relevant results", form.results),
    ):
        parts.append(f"<h3>{title}</h3><p>{_text(value)}</p>")
    if files:
        parts.append(f"<h3>Attachments</h3>{files}")
    return "".join(parts)


def _template_section(answers: Mapping[str, object], template: RequestTemplate | None) -> str:
    if not answers:
        return ""
    rows = template_answer_rows(answers, template)
    return "<h3>Specialty questions</h3>" + _table(
        (label, escape(answer or NOT_SET)) for label, answer in rows
    )


def _referral_section(view: ConversationView) -> str:
    form = view.form
    convert = CONVERT_LABELS.get(form.convert_authorisation or "", NOT_SET)
    rows = [
        (
            "Without advice, would have referred",
            escape(label_of(WouldHaveReferred, form.would_have_referred)),
        ),
        ("May convert into a referral", escape(convert)),
    ]
    if view.closing_outcome:
        rows.append(("Outcome", escape(label_of(ClosingOutcome, view.closing_outcome))))
    if view.advice_useful:
        rows.append(("Advice useful", escape(label_of(AdviceUseful, view.advice_useful))))
    if view.referral_avoided is not None and view.status in TERMINAL_STATUSES:
        rows.append(("Referral avoided", "Yes" if view.referral_avoided else "No"))
    return "<h3>Referral</h3>" + _table(rows)


def _review_section(view: ConversationView) -> str:
    """A practice manager's page: what a review needs, and why there is no more."""
    rows = [("Sex", escape(label_of(Sex, view.form.patient_sex)))]
    if view.first_response_at is not None:
        rows.append(("First answered", escape(long_london_time(view.first_response_at))))
    if view.recommendation:
        recommendation = label_of(Recommendation, view.recommendation)
        rows.append(("Specialist's recommendation", escape(recommendation)))
    if view.closed_at is not None:
        rows.append(("Closed", escape(long_london_time(view.closed_at))))
    note = f"<p class='muted'>{escape(REVIEW_NOTE)}</p>"
    return "<h3>Review</h3>" + _table(rows) + _referral_section(view) + note


def _thread_section(messages: tuple[MessageView, ...], files: Mapping[str, str]) -> str:
    """The messages, oldest first, each with who wrote it, when, and the files it brought
    (``files``: each message's, as HTML, by message id)."""
    if not messages:
        return "<h3>Messages</h3><p class='muted'>No messages yet: not sent.</p>"
    parts = ["<h3>Messages</h3>"]
    for index, message in enumerate(messages):
        role = label_of(Role, message.author_role, blank="")
        kind = MESSAGE_KINDS.get(message.kind, message.kind.replace("_", " ").capitalize())
        meta = f"{kind} · {message.author_name}" + (f" ({role})" if role else "")
        meta += f" · {london_time(message.created_at)}"
        anchor = message_anchor(index)
        parts.append(f"<p class='meta'><a name='{anchor}'><b>{escape(meta)}</b></a></p>")
        if message.kind == "redirect" and message.to_specialty:
            way = f"From {message.from_specialty or 'another specialty'} to {message.to_specialty}."
            parts.append(f"<p><b>{escape(way)}</b></p>")
        parts.append(f"<p>{_text(message.body)}</p>")
        parts.append(files.get(message.id, ""))
        if message.recommendation:
            recommendation = label_of(Recommendation, message.recommendation)
            parts.append(f"<p class='muted'>Recommendation: {escape(recommendation)}</p>")
        if message.responsible_consultant:
            consultant = f"Responsible consultant: {message.responsible_consultant}"
            parts.append(f"<p class='muted'>{escape(consultant)}</p>")
    return "".join(parts)
