"""Checking an advice request: drafts keep anything within the limits; sending needs it all."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bhcp_ag.domain.conversation import TWO_WEEK_WAIT_REFUSAL
from bhcp_ag.domain.request import AdviceRequestForm, draft_problems, submit_problems
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.templates import RequestTemplate

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def dermatology() -> RequestTemplate:
    return SpecialtyCatalogue.load().template("330")


COMPLETE = AdviceRequestForm(
    specialty_code="330",
    priority="ROUTINE",
    patient_nhs_number="943 476 5919",
    patient_family_name="O'Neill-Smith",
    patient_given_name="Zoë",
    patient_birth_date=date(1961, 5, 14),
    patient_sex="female",
    question="Is this pigmented lesion on the back safe to monitor in primary care?",
    clinical_summary="Lesion present for years, recently darker according to her partner.",
    template_answers={
        "lesion_site": "Left upper back",
        "problem_type": "Single lesion",
        "duration": "3 years",
        "changes": ["Change in colour"],
        "treatments_tried": "None",
        "photo_attached": "Clinical only",
    },
    would_have_referred="yes",
    convert_authorisation="AUTHORISED_TO_CONVERT",
)


def test_a_complete_request_has_no_problems(dermatology: RequestTemplate) -> None:
    assert submit_problems(COMPLETE, dermatology, TODAY) == {}
    assert draft_problems(COMPLETE) == {}


def test_an_empty_form_names_every_missing_part(dermatology: RequestTemplate) -> None:
    problems = submit_problems(AdviceRequestForm(specialty_code="330"), dermatology, TODAY)
    assert set(problems) == {
        "patient_nhs_number",
        "patient_family_name",
        "patient_given_name",
        "patient_birth_date",
        "patient_sex",
        "question",
        "clinical_summary",
        "would_have_referred",
        "convert_authorisation",
        "template.lesion_site",
        "template.problem_type",
        "template.duration",
        "template.changes",
        "template.treatments_tried",
        "template.photo_attached",
    }
    assert "would you have referred" in problems["would_have_referred"]
    assert draft_problems(AdviceRequestForm(specialty_code="330")) == {}


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        ({"patient_nhs_number": "943 476 5918"}, "patient_nhs_number", "check digit"),
        ({"patient_nhs_number": "94347659"}, "patient_nhs_number", "10 digits"),
        ({"patient_family_name": " "}, "patient_family_name", "enter the patient's family name"),
        ({"patient_given_name": ""}, "patient_given_name", "enter the patient's given name"),
        ({"patient_family_name": "Smith3"}, "patient_family_name", "'3'"),
        ({"patient_given_name": "J" * 36}, "patient_given_name", "36 characters"),
        ({"patient_birth_date": date(2027, 1, 1)}, "patient_birth_date", "future"),
        ({"patient_sex": "unknown-value"}, "patient_sex", "sex"),
        ({"question": "   "}, "question", "question"),
        ({"priority": "TWO_WEEK_WAIT"}, "priority", "two-week-wait"),
        ({"priority": "WHENEVER"}, "priority", "routine or urgent"),
        ({"would_have_referred": None}, "would_have_referred", "yes, no or unsure"),
        ({"convert_authorisation": None}, "convert_authorisation", "convert"),
    ],
)
def test_each_wrong_part_gets_its_own_message(
    dermatology: RequestTemplate, change: dict[str, object], key: str, fragment: str
) -> None:
    problems = submit_problems(replace(COMPLETE, **change), dermatology, TODAY)  # type: ignore[arg-type]
    assert list(problems) == [key]
    assert fragment.lower() in problems[key].lower()


def test_two_week_wait_gets_the_cancer_pathway_message(dermatology: RequestTemplate) -> None:
    problems = submit_problems(replace(COMPLETE, priority="TWO_WEEK_WAIT"), dermatology, TODAY)
    assert problems["priority"] == TWO_WEEK_WAIT_REFUSAL


def test_text_over_8000_characters_is_refused_even_in_a_draft(
    dermatology: RequestTemplate,
) -> None:
    long = replace(COMPLETE, clinical_summary="x" * 8001)
    assert "8,001" in draft_problems(long)["clinical_summary"]
    assert "clinical_summary" in submit_problems(long, dermatology, TODAY)
    assert draft_problems(replace(COMPLETE, clinical_summary="x" * 8000)) == {}


def test_template_answer_problems_are_keyed_under_template(
    dermatology: RequestTemplate,
) -> None:
    answers = dict(COMPLETE.template_answers, problem_type="Something else")
    problems = submit_problems(replace(COMPLETE, template_answers=answers), dermatology, TODAY)
    assert list(problems) == ["template.problem_type"]


def test_a_question_that_does_not_apply_is_not_asked_for_on_sending() -> None:
    cardiology = SpecialtyCatalogue.load().template("320")
    answers = {
        "symptoms": ["Breathlessness"],
        "ecg_findings": "Sinus rhythm, rate 70",
        "systolic_bp": 128,
        "diastolic_bp": 82,
        "heart_rate": 70,
    }
    form = replace(COMPLETE, specialty_code="320", template_answers=answers)
    assert submit_problems(form, cardiology, TODAY) == {}
    with_pain = replace(form, template_answers={**answers, "symptoms": ["Chest pain"]})
    assert submit_problems(with_pain, cardiology, TODAY) == {
        "template.chest_pain_character": "Character of chest pain is required."
    }


def test_a_name_too_long_to_be_one_stops_even_a_draft() -> None:
    problems = draft_problems(replace(COMPLETE, patient_family_name="x" * 101))
    assert list(problems) == ["patient_family_name"]
    assert "101 characters" in problems["patient_family_name"]
    assert draft_problems(replace(COMPLETE, patient_family_name="x" * 100)) == {}
