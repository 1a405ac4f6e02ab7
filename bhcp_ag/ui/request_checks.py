"""What is wrong with one field of the advice request form, on its own.

:class:`~bhcp_ag.ui.request_form.RequestForm` asks as the GP leaves a field (or mends one
that shows a problem), so a mistake is pointed out where it was made, not only on Send.
A field that is merely empty is not a problem here: "required" waits until Send, when the
services check the whole request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.patient import (
    NAME_FIELDS,
    check_birth_date,
    check_nhs_number,
    check_patient_name,
)
from bhcp_ag.domain.request import TEMPLATE_PREFIX
from bhcp_ag.domain.templates import RequestTemplate
from bhcp_ag.ui.form_fields import DateInput, FieldRow, TextInput


def own_problem(
    key: str,
    row: FieldRow,
    template: RequestTemplate | None,
    *,
    synthetic_patients: Callable[[], bool] = lambda: True,
) -> str | None:
    """What is wrong with the field ``key`` on its own; ``template`` has the specialty's
    questions (their keys start with ``template.``); ``synthetic_patients`` says, when
    an NHS number is checked, whether the hub takes test patients (a live one does not)."""
    value = row.input.value()
    local = row.input.local_problem()
    if local or value in (None, "", []):
        return local
    if key == "patient_nhs_number":
        return _refusal(
            lambda number: check_nhs_number(number, allow_synthetic=synthetic_patients()),
            str(value),
        )
    if key in NAME_FIELDS:
        return _refusal(check_patient_name, str(value), NAME_FIELDS[key])
    if key == "patient_birth_date" and isinstance(row.input, DateInput):
        day = row.input.date_value()
        return _refusal(check_birth_date, day, datetime.now(LONDON).date()) if day else None
    if isinstance(row.input, TextInput) and row.input.over_limit:
        return f"{row.name} is over the {row.input.limit:,}-character limit."
    if key.startswith(TEMPLATE_PREFIX) and template is not None:
        return template.field(key.removeprefix(TEMPLATE_PREFIX)).check(value)
    return None


def specialty_problem(typed: str) -> str:
    """Why a request cannot be sent with ``typed`` in the specialty chooser (naming none)."""
    typed = typed.strip()
    if typed:
        return f"No specialty matches '{typed}'. Type part of its name or its 3-digit code."
    return "Choose the specialty to ask."


def _refusal(check: Callable[..., object], *args: object) -> str | None:
    """The message of the ValueError ``check`` raises, or None when it accepts."""
    try:
        check(*args)
    except ValueError as error:
        return str(error)
    return None
