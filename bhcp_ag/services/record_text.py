"""A conversation as plain text for the patient's GP record (copied to the clipboard).

GP clinical systems take pasted plain text, so this is lines and nothing else: the whole
record a GP files in the patient's notes. The patient's NHS number heads it so that the
text cannot be pasted into the wrong record unnoticed; then what was asked (the question,
the clinical summary, medication and results), the specialty's questions with their
answers, each message with who wrote it, when (Europe/London) and the files sent with it,
the recommendation and, once closed, the outcome and whether a referral was avoided.

:func:`template_answer_rows` and :func:`files_by_message` are shared with the on-screen
view, so that the screen and the pasted record say the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bhcp_ag.domain.actions import MESSAGE_KIND_LABELS
from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import (
    TERMINAL_STATUSES,
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    Role,
    Status,
)
from bhcp_ag.domain.patient import NAME_NOT_RECORDED, format_nhs_number, patient_name_text
from bhcp_ag.domain.templates import FieldType, RequestTemplate, TemplateField, parse_date
from bhcp_ag.services.requests import AttachmentView, ConversationView, MessageView

TITLES = MESSAGE_KIND_LABELS | {"request": "Question"}  # the request's words are its question
SPECIALIST_KINDS = frozenset({"advice", "question", "conversion"})
NOT_GIVEN = "not given"


def _when(instant: datetime | None) -> str:
    if instant is None:
        return "not recorded"
    local = instant.astimezone(LONDON)
    return f"{local:%d %b %Y %H:%M}"


def _label(
    enum: type[Recommendation] | type[ClosingOutcome] | type[AdviceUseful], value: str | None
) -> str:
    try:
        return enum(value).label if value else ""
    except ValueError:
        return value or ""


def answer_text(field: TemplateField | None, value: object) -> str:
    """One answer to a specialty question as words; empty when it was not answered."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if field is not None and field.type is FieldType.YESNO:
        return str(value).capitalize()
    if field is not None and field.type is FieldType.DATE:
        day = parse_date(value)
        return f"{day.day} {day:%b %Y}" if day is not None else str(value)
    if field is not None and field.unit:
        return f"{value} {field.unit}"
    return str(value)


def template_answer_rows(
    answers: Mapping[str, object], template: RequestTemplate | None
) -> list[tuple[str, str]]:
    """(question label, answer) in the template's order; the raw keys without a template."""
    if template is None:
        return [(key, answer_text(None, value)) for key, value in answers.items()]
    fields = [field for field in template.fields if field.key in answers]
    return [(f.label, answer_text(f, answers[f.key])) for f in fields]


def request_message_id(view: ConversationView) -> str:
    """The id of the message that sent the request ("" for a draft, which has none)."""
    return next((m.id for m in view.messages if m.kind == "request"), "")


def files_by_message(view: ConversationView) -> dict[str, list[AttachmentView]]:
    """Each message's id and the files sent with it. The request's own files are kept
    without a message in the local store (and under the request message by the hub): both
    are the request's, under :func:`request_message_id`."""
    request_id = request_message_id(view)
    ids = {m.id for m in view.messages}
    files: dict[str, list[AttachmentView]] = {}
    for attachment in view.attachments:
        owner = attachment.message_id if attachment.message_id in ids else None
        files.setdefault(owner or request_id, []).append(attachment)
    return files


def _message_lines(message: MessageView, files: list[AttachmentView]) -> list[str]:
    title = TITLES.get(message.kind, message.kind.replace("_", " ").capitalize())
    try:
        role = Role(message.author_role).label
    except ValueError:
        role = ""
    who = f"{message.author_name} ({role})" if role else message.author_name
    lines = [f"{title}, {who}, {_when(message.created_at)}:"]
    if message.kind == "redirect" and message.to_specialty:
        lines.append(
            f"From {message.from_specialty or 'another specialty'} to {message.to_specialty}."
        )
    lines.append(message.body.strip())
    if files:
        lines.append("Files: " + ", ".join(f.filename for f in files))
    if message.recommendation:
        lines.append(f"Recommendation: {_label(Recommendation, message.recommendation)}")
    if message.responsible_consultant:
        lines.append(f"Responsible consultant: {message.responsible_consultant}")
    return [*lines, ""]


def _request_lines(view: ConversationView, template: RequestTemplate | None) -> list[str]:
    form = view.form
    lines = []
    for title, value in (
        ("Clinical summary", form.clinical_summary),
        ("Current medication", form.medication),
        ("Relevant results", form.results),
    ):
        if value.strip():
            lines += [f"{title}:", value.strip(), ""]
    rows = template_answer_rows(form.template_answers, template)
    if rows:
        lines.append("Specialty questions:")
        lines += [f"{label}: {answer or NOT_GIVEN}" for label, answer in rows]
        lines.append("")
    return lines


def _ending_lines(view: ConversationView) -> list[str]:
    status = Status(view.status)
    lines = []
    if view.closing_outcome:
        lines.append(f"Outcome: {_label(ClosingOutcome, view.closing_outcome)}")
        if view.advice_useful:
            lines.append(f"Advice useful: {_label(AdviceUseful, view.advice_useful)}")
    elif not status.is_open:
        lines.append(f"Status: {status.label}")
    if view.referral_avoided is not None and status in TERMINAL_STATUSES:
        lines.append(f"Referral avoided: {'Yes' if view.referral_avoided else 'No'}")
    return lines


def patient_name(view: ConversationView) -> str:
    """The patient's name as shown wherever the patient appears (``SMITH, Jane``)."""
    form = view.form
    return patient_name_text(form.patient_family_name, form.patient_given_name) or (
        NAME_NOT_RECORDED
    )


def _birth_date(view: ConversationView) -> str:
    born = view.form.patient_birth_date
    return f"{born.day} {born:%B %Y}" if born is not None else "not recorded"


def advice_as_text(
    view: ConversationView,
    template: RequestTemplate | None = None,
    *,
    whole_thread: bool = True,
) -> str:
    """The conversation as plain text; ``template`` (the specialty's) gives its questions'
    labels. With ``whole_thread`` False, only the specialist's answers (advice, questions,
    conversion) after the heading."""
    heading = [
        f"Advice and Guidance: {view.specialty_name}",
        f"Patient: {patient_name(view)}",
        f"Patient NHS number: {format_nhs_number(view.form.patient_nhs_number)}",
        f"Date of birth: {_birth_date(view)}",
        f"Requested by {view.requester_name} on {_when(view.submitted_at)}",
        "",
    ]
    files = files_by_message(view)
    shown = [m for m in view.messages if whole_thread or m.kind in SPECIALIST_KINDS]
    request = _request_lines(view, template) if whole_thread else []
    lines = heading if any(m.kind == "request" for m in shown) else heading + request
    for message in shown:
        lines += _message_lines(message, files.get(message.id, []))
        if message.kind == "request":  # what was asked, then what the GP told about it
            lines += request
    lines += _ending_lines(view)
    return "\n".join(lines).rstrip() + "\n"
