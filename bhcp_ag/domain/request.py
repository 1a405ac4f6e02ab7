"""Checking a GP's advice request before it is sent.

A draft may hold anything the GP has typed (only the national length limits apply, so
nothing is refused while they write); a request to be sent must be complete. Each
problem comes back as a message keyed by the form field it belongs to, so the form can
show it beside that field. Template fields are keyed ``template.<key>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bhcp_ag.domain.conversation import (
    ConvertAuthorisation,
    Priority,
    TransitionRefused,
    WouldHaveReferred,
    check_priority,
)
from bhcp_ag.domain.limits import MAX_TEXT_CHARS, check_text
from bhcp_ag.domain.patient import (
    MAX_NAME_INPUT,
    NAME_FIELDS,
    InvalidNhsNumber,
    InvalidPatientName,
    Sex,
    check_birth_date,
    check_nhs_number,
    check_patient_name,
)
from bhcp_ag.domain.templates import RequestTemplate

TEMPLATE_PREFIX = "template."

# The free-text parts every request has, with their labels and whether they are required.
TEXT_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("question", "The question for the specialist", True),
    ("clinical_summary", "Clinical summary", True),
    ("medication", "Current medication", False),
    ("results", "Relevant results", False),
)


@dataclass(frozen=True)
class AdviceRequestForm:
    """The generic part of every request, as the GP typed it (strings, not yet checked)."""

    specialty_code: str
    priority: str = Priority.ROUTINE.value
    patient_nhs_number: str = ""
    patient_family_name: str = ""
    patient_given_name: str = ""
    patient_birth_date: date | None = None
    patient_sex: str | None = None
    question: str = ""
    clinical_summary: str = ""
    medication: str = ""
    results: str = ""
    template_answers: Mapping[str, Any] = field(default_factory=dict)
    would_have_referred: str | None = None
    convert_authorisation: str | None = None


def draft_problems(form: AdviceRequestForm) -> dict[str, str]:
    """Problems that stop even a draft being saved: only text over the national limit
    (and a name too long to be one)."""
    problems: dict[str, str] = {}
    for key, part in NAME_FIELDS.items():
        length = len(getattr(form, key))
        if length > MAX_NAME_INPUT:
            problems[key] = (
                f"The {part} name is {length:,} characters; a name field takes up to "
                f"{MAX_NAME_INPUT}. Enter the name as the patient's record has it."
            )
    for key, label, _required in TEXT_FIELDS:
        text = getattr(form, key)
        if len(text) > MAX_TEXT_CHARS:
            problems[key] = (
                f"{label} is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}. "
                "Shorten it, or attach the detail as a document."
            )
    return problems


def submit_problems(
    form: AdviceRequestForm,
    template: RequestTemplate,
    today: date,
    *,
    synthetic_patients: bool = True,
) -> dict[str, str]:
    """Every problem that stops the request being sent, keyed by form field.

    ``synthetic_patients`` is False for a live hub, which refuses test patients' numbers.
    """
    problems = _patient_problems(form, today, synthetic_patients)
    problems.update(_text_problems(form))
    problems.update(_choice_problems(form))
    for key, message in template.validate(dict(form.template_answers)).items():
        problems[TEMPLATE_PREFIX + key] = message
    return problems


def _patient_problems(
    form: AdviceRequestForm, today: date, synthetic_patients: bool
) -> dict[str, str]:
    problems: dict[str, str] = {}
    try:
        check_nhs_number(form.patient_nhs_number, allow_synthetic=synthetic_patients)
    except InvalidNhsNumber as error:
        problems["patient_nhs_number"] = str(error)
    for key, part in NAME_FIELDS.items():
        try:
            check_patient_name(getattr(form, key), part)
        except InvalidPatientName as error:
            problems[key] = str(error)
    if form.patient_birth_date is None:
        problems["patient_birth_date"] = "Enter the patient's date of birth."
    else:
        try:
            check_birth_date(form.patient_birth_date, today)
        except ValueError as error:
            problems["patient_birth_date"] = str(error)
    if form.patient_sex not in {s.value for s in Sex}:
        problems["patient_sex"] = "Choose the patient's sex."
    return problems


def _text_problems(form: AdviceRequestForm) -> dict[str, str]:
    problems: dict[str, str] = {}
    for key, label, required in TEXT_FIELDS:
        try:
            check_text(label, getattr(form, key), required=required)
        except ValueError as error:
            problems[key] = str(error)
    return problems


def _choice_problems(form: AdviceRequestForm) -> dict[str, str]:
    problems: dict[str, str] = {}
    try:
        check_priority(form.priority)
    except TransitionRefused as error:
        problems["priority"] = str(error)
    except ValueError:
        problems["priority"] = "Choose a priority: routine or urgent."
    if form.would_have_referred not in {w.value for w in WouldHaveReferred}:
        problems["would_have_referred"] = (
            "Answer 'Without advice, would you have referred this patient?' (yes, no or unsure)."
        )
    if form.convert_authorisation not in {c.value for c in ConvertAuthorisation}:
        problems["convert_authorisation"] = (
            "Say whether the specialist may convert this request into a referral."
        )
    return problems
