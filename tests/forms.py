"""A complete dermatology request form, as the tests' GPs send it."""

from __future__ import annotations

from datetime import date

from bhcp_ag.domain.request import AdviceRequestForm

DERMATOLOGY = AdviceRequestForm(
    specialty_code="330",
    patient_nhs_number="9434765919",
    patient_family_name="Whitaker",
    patient_given_name="Margaret",
    patient_birth_date=date(1961, 5, 14),
    patient_sex="female",
    question="Is this pigmented lesion safe to monitor in primary care?",
    clinical_summary="Present for years, darker recently.",
    template_answers={
        "lesion_site": "Left upper back",
        "problem_type": "Single lesion",
        "duration": "3 years",
        "changes": ["Change in colour"],
        "treatments_tried": "None",
        "photo_attached": "Clinical only",
    },
    would_have_referred="yes",
    convert_authorisation="NOT_AUTHORISED_TO_CONVERT",
)
"""Every field the dermatology template asks, filled; submits without problems."""
