"""A GP's request arriving at the hub (``conversation.submit``): checked, then created.

The hub checks the request exactly as the desktop did before sending it, with the
domain's :func:`~bhcp_ag.domain.request.submit_problems` (patient, texts, choices and the
specialty's template), on the hub's date. It accepts the request at once: the
conversation starts ``awaiting_specialist`` (the domain's ``submitted`` →
``awaiting_specialist`` step by the hub), ``submitted_at`` is the hub's now and
``due_at`` comes from the specialty's response target. The facts the reports need are
fixed here too: ``first_due_at`` (that first due time, which a later reply does not move)
and ``patient_age_band`` (the patient's age band on the day it is sent). Attachments
refer to content uploaded beforehand by SHA-256; a request whose attachment has not been
uploaded by this GP is rejected (``attachment_missing``).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy.orm import Session

from bhcp_ag.domain import clock
from bhcp_ag.domain.actions import MANAGERS_READ_ONLY
from bhcp_ag.domain.conversation import Role, Status, check_transition
from bhcp_ag.domain.patient import (
    InvalidNhsNumber,
    age_band,
    check_nhs_number,
    check_patient_name,
)
from bhcp_ag.domain.request import AdviceRequestForm, draft_problems, submit_problems
from bhcp_ag.hub.access import Caller
from bhcp_ag.hub.attachment_refs import add_attachments, checked_refs
from bhcp_ag.hub.changes import HubRules, Rejected, add_message, settle
from bhcp_ag.hub.models import Conversation, Specialty
from bhcp_ag.hub.sync_schemas import SubmitPayload


def _authorise(caller: Caller, conversation_id: str, payload: SubmitPayload) -> None:
    if caller.role == Role.PRACTICE_MANAGER:
        raise Rejected("forbidden", MANAGERS_READ_ONLY)
    if caller.role != Role.GP:
        raise Rejected("forbidden", "Only a GP can send an advice request.")
    if payload.practice_code != caller.practice_code:
        raise Rejected(
            "forbidden",
            f"You can send requests only for your own practice ({caller.practice_code}).",
        )
    if payload.requester_id is not None and str(payload.requester_id) != caller.id:
        raise Rejected("forbidden", "A request is sent in the name of the GP signed in.")
    if payload.conversation_id is not None and str(payload.conversation_id) != conversation_id:
        raise Rejected(
            "invalid_payload", "The payload's conversation_id differs from the change's."
        )


def _form(payload: SubmitPayload) -> AdviceRequestForm:
    return AdviceRequestForm(
        specialty_code=payload.specialty_code,
        priority=payload.priority,
        patient_nhs_number=payload.patient_nhs_number,
        patient_family_name=payload.patient_family_name,
        patient_given_name=payload.patient_given_name,
        patient_birth_date=payload.patient_birth_date,
        patient_sex=payload.patient_sex,
        question=payload.question,
        clinical_summary=payload.clinical_summary,
        medication=payload.medication,
        results=payload.results,
        template_answers=payload.template_answers,
        would_have_referred=payload.would_have_referred,
        convert_authorisation=payload.convert_authorisation,
    )


def checked_form(session: Session, rules: HubRules, payload: SubmitPayload) -> AdviceRequestForm:
    """The request as a domain form, if complete and within the rules; else Rejected."""
    code = payload.specialty_code
    if code not in rules.catalogue or session.get(Specialty, code) is None:
        raise Rejected(
            "unknown_specialty", f"This hub has no Advice and Guidance specialty {code!r}."
        )
    form = _form(payload)
    today = rules.now.astimezone(clock.LONDON).date()
    try:
        problems = draft_problems(form) | submit_problems(
            form, rules.catalogue.template(code), today
        )
    except (TypeError, ValueError) as error:  # answers of a shape no template expects
        problems = {"template": f"The template answers are not in the expected form ({error})."}
    if problems:
        raise Rejected("invalid_request", " ".join(dict.fromkeys(problems.values())))
    if not rules.synthetic_patients:
        try:
            check_nhs_number(form.patient_nhs_number, allow_synthetic=False)
        except InvalidNhsNumber as refusal:
            raise Rejected(
                "synthetic_patient", f"{refusal} This hub holds real patients' records only."
            ) from None
    return form


def _conversation(
    rules: HubRules, caller: Caller, conversation_id: str, form: AdviceRequestForm
) -> Conversation:
    now = rules.now
    days = rules.targets.working_days(form.specialty_code, form.priority)
    due = clock.due_at(now, days)
    return Conversation(
        id=conversation_id,
        version=1,
        practice_code=caller.practice_code,
        requester_id=caller.id,
        specialty_code=form.specialty_code,
        priority=form.priority,
        status=Status.AWAITING_SPECIALIST.value,
        patient_nhs_number=check_nhs_number(form.patient_nhs_number),
        patient_family_name=check_patient_name(form.patient_family_name, "family"),
        patient_given_name=check_patient_name(form.patient_given_name, "given"),
        patient_birth_date=form.patient_birth_date,
        patient_sex=form.patient_sex,
        question=form.question,
        clinical_summary=form.clinical_summary,
        medication=form.medication,
        results=form.results,
        template_answers=json.dumps(dict(form.template_answers), sort_keys=True),
        would_have_referred=form.would_have_referred,
        convert_authorisation=form.convert_authorisation,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        due_at=due,
        first_due_at=due,  # kept when a reply moves due_at on
        patient_age_band=_age_band(form.patient_birth_date, now),
    )


def _age_band(birth_date: date | None, submitted_at: datetime) -> str | None:
    """The patient's reporting age band on the day the request is sent, in London."""
    if birth_date is None:
        return None
    return age_band(birth_date, submitted_at.astimezone(clock.LONDON).date())


def submit(
    session: Session, rules: HubRules, caller: Caller, conversation_id: str, p: SubmitPayload
) -> Conversation:
    """Create the conversation, its request message and attachments (never commits)."""
    _authorise(caller, conversation_id, p)
    check_transition(Status.DRAFT, Status.SUBMITTED, Role.GP)
    check_transition(Status.SUBMITTED, Status.AWAITING_SPECIALIST, Role.SYSTEM)
    if session.get(Conversation, conversation_id) is not None:
        raise Rejected("conversation_exists", "A conversation with this id has been sent already.")
    form = checked_form(session, rules, p)
    attachments = checked_refs(session, caller, conversation_id, p.attachments)
    conversation = _conversation(rules, caller, conversation_id, form)
    settle(conversation, rules.now)
    session.add(conversation)
    session.flush()
    message_id = str(p.message_id)
    add_message(
        session,
        conversation,
        message_id,
        caller,
        rules.now,
        kind="request",
        body=form.question,
    )
    session.flush()
    add_attachments(session, conversation_id, message_id, attachments, rules.now)
    return conversation
