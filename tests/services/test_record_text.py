"""The conversation as plain text for the patient's record."""

from __future__ import annotations

from datetime import timedelta

from bhcp_ag.domain.conversation import (
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    SpecialistOutcome,
)
from bhcp_ag.services.record_text import advice_as_text
from bhcp_ag.services.workspace import Workspace
from tests.services.conftest import Clock, accepted


def test_the_text_has_the_question_the_advice_and_the_outcome(
    gp: Workspace, specialist: Workspace, clock: Clock
) -> None:
    cid = accepted(gp)
    clock.now += timedelta(hours=5)  # 15:00 GMT
    specialist.actions.respond(
        specialist.user,
        cid,
        SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE,
        "Seborrhoeic keratosis.\nReassure; no treatment needed.",
        Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED,
    )
    gp.actions.close(gp.user, cid, ClosingOutcome.MANAGED_IN_PRIMARY_CARE, AdviceUseful.YES)
    text = advice_as_text(gp.requests.view(cid))
    lines = text.splitlines()
    assert lines[0] == "Advice and Guidance: Dermatology"
    assert lines[1] == "Patient NHS number: 943 476 5919"
    assert "Advice, Dr Rohan Mehta (Specialist), 23 Nov 2026 15:00:" in lines
    assert "Reassure; no treatment needed." in lines
    assert "Recommendation: Advice only, no referral" in lines
    assert lines[-1] == "Outcome: Managed in primary care"
    assert text.index("Question, ") < text.index("Advice, ")

    only_answers = advice_as_text(gp.requests.view(cid), whole_thread=False)
    assert "Question, " not in only_answers and "Advice, " in only_answers
