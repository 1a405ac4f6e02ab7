"""What each role is given of a conversation: the minimum necessary (Caldicott principle 3).

GPs, specialists and administrators work the conversations themselves, so they are given
all of them (:attr:`ContentView.FULL`). A practice manager reviews whether referrals were
avoided and how fast answers came: they are given a **review** of each conversation of
their practice (:attr:`ContentView.REVIEW`) and nothing more:

- kept (:data:`REVIEW_FIELDS`): status, specialty, priority, the requesting GP, the dates
  and times, the specialist's outcome and recommendation, the GP's closing outcome,
  whether a referral was avoided, and the two reporting facts the Bay's reports break
  down by, the patient's age band and sex (neither identifies a patient on its own);
- left out: the patient's NHS number, names and date of birth, every clinical text (the
  question, summary, medication, results and template answers), the messages and their
  text, the attachments, and who claimed the request (workload by name is for
  administrators, and for each specialist their own).

The hub builds a review from this list, and a desk whose store held full conversations
drops them before a practice manager's window opens (and the other way round), so the
store on a practice manager's computer holds no more than the review either.
"""

from __future__ import annotations

from enum import StrEnum

from bhcp_ag.domain.conversation import Role


class ContentView(StrEnum):
    FULL = "full"
    REVIEW = "review"


REVIEW_ROLES = frozenset({Role.PRACTICE_MANAGER})

REVIEW_FIELDS = frozenset(
    {
        "id",
        "version",
        "practice_code",
        "requester_id",
        "specialty_code",
        "form_specialty_code",
        "priority",
        "status",
        "would_have_referred",
        "convert_authorisation",
        "created_at",
        "updated_at",
        "submitted_at",
        "due_at",
        "first_due_at",
        "first_response_at",
        "response_working_days",
        "closed_at",
        "specialist_outcome",
        "recommendation",
        "closing_outcome",
        "advice_useful",
        "referral_avoided",
        "patient_age_band",
        "patient_sex",
    }
)
"""The columns of a conversation that a review carries; every other one is left blank."""

REVIEW_NOTE = (
    "A practice manager's desk holds what a review of Advice and Guidance needs: status, "
    "specialty, dates, outcomes and whether a referral was avoided. The patient's details, "
    "the clinical text, the messages and the attachments are for the clinicians "
    "(Caldicott principle 3, the minimum necessary)."
)


def content_view(role: Role) -> ContentView:
    """What ``role`` is given of the conversations it may see."""
    return ContentView.REVIEW if role in REVIEW_ROLES else ContentView.FULL


def sees_workload_of_others(role: Role) -> bool:
    """True when the specialist workload may name every specialist (administrators);
    a specialist sees their own, a practice manager none."""
    return role is Role.ADMIN
