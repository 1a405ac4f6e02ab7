"""A conversation as plain text for the patient's GP record (copied to the clipboard).

GP clinical systems take pasted plain text, so this is lines and nothing else: what was
asked, each answer with who gave it and when (Europe/London), the recommendation and,
once closed, the outcome. The patient's NHS number heads it so that the text cannot be
pasted into the wrong record unnoticed.
"""

from __future__ import annotations

from datetime import datetime

from bhcp_ag.domain.actions import MESSAGE_KIND_LABELS
from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import ClosingOutcome, Recommendation, Role, Status
from bhcp_ag.domain.patient import format_nhs_number
from bhcp_ag.services.requests import ConversationView, MessageView

TITLES = MESSAGE_KIND_LABELS | {"request": "Question"}  # the request's words are its question
SPECIALIST_KINDS = frozenset({"advice", "question", "conversion"})


def _when(instant: datetime | None) -> str:
    if instant is None:
        return "not recorded"
    local = instant.astimezone(LONDON)
    return f"{local:%d %b %Y %H:%M}"


def _label(enum: type[Recommendation] | type[ClosingOutcome], value: str | None) -> str:
    try:
        return enum(value).label if value else ""
    except ValueError:
        return value or ""


def _message_lines(message: MessageView) -> list[str]:
    title = TITLES.get(message.kind, message.kind.replace("_", " ").capitalize())
    try:
        role = Role(message.author_role).label
    except ValueError:
        role = ""
    who = f"{message.author_name} ({role})" if role else message.author_name
    lines = [f"{title}, {who}, {_when(message.created_at)}:", message.body.strip()]
    if message.recommendation:
        lines.append(f"Recommendation: {_label(Recommendation, message.recommendation)}")
    return [*lines, ""]


def advice_as_text(view: ConversationView, *, whole_thread: bool = True) -> str:
    """The conversation as plain text; with ``whole_thread`` False, only the specialist's
    answers (advice, questions, conversion) after the heading."""
    heading = [
        f"Advice and Guidance: {view.specialty_name}",
        f"Patient NHS number: {format_nhs_number(view.form.patient_nhs_number)}",
        f"Requested by {view.requester_name} on {_when(view.submitted_at)}",
        "",
    ]
    shown = [m for m in view.messages if whole_thread or m.kind in SPECIALIST_KINDS]
    lines = heading + [line for message in shown for line in _message_lines(message)]
    status = Status(view.status)
    if view.closing_outcome:
        lines.append(f"Outcome: {_label(ClosingOutcome, view.closing_outcome)}")
    elif not status.is_open:
        lines.append(f"Status: {status.label}")
    return "\n".join(lines).rstrip() + "\n"
