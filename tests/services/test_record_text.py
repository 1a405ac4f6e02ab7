"""The conversation as plain text for the patient's record."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bhcp_ag.domain.conversation import (
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    SpecialistOutcome,
)
from bhcp_ag.services.record_text import advice_as_text
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import Conversation, OutboxChange
from tests.attachment_files import clean_png, letter_pdf
from tests.services.conftest import Clock, accepted
from tests.services.test_requests import FORM


def _accept(gp: Workspace, cid: str) -> None:
    """The hub put the sent request in the specialty's queue."""
    with gp.store.session() as session:
        session.execute(
            update(Conversation).where(Conversation.id == cid).values(status="awaiting_specialist")
        )
        session.execute(update(OutboxChange).values(state="applied"))


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
    assert lines[1:4] == [
        "Patient: WHITAKER, Margaret",  # three identifiers, so the reader can check identity
        "Patient NHS number: 943 476 5919",
        "Date of birth: 14 May 1961",
    ]
    assert "Advice, Dr Rohan Mehta (Specialist), 23 Nov 2026 15:00:" in lines
    assert "Reassure; no treatment needed." in lines
    assert "Recommendation: Advice only, no referral" in lines
    # H12: given by the demo specialist, under dermatology's responsible consultant.
    assert "Responsible consultant: Dr Rohan Mehta" in lines
    assert "Outcome: Managed in primary care" in lines
    assert text.index("Question, ") < text.index("Advice, ")

    only_answers = advice_as_text(gp.requests.view(cid), whole_thread=False)
    assert "Question, " not in only_answers and "Advice, " in only_answers


def test_the_text_is_the_whole_record_a_gp_files_in_the_notes(
    gp: Workspace, specialist: Workspace, clock: Clock
) -> None:
    """Summary, the specialty's answers, each file under its message, outcome, avoided."""
    draft = gp.requests.save_draft(gp.user.id, FORM)
    gp.requests.attach(draft, "left-back.png", clean_png())
    sent = gp.requests.submit(gp.user.id, FORM, draft)
    _accept(gp, sent.conversation_id)
    cid = sent.conversation_id
    clock.now += timedelta(hours=5)
    specialist.composer.add_file(cid, "clinic-letter.pdf", letter_pdf())
    specialist.actions.respond(
        specialist.user,
        cid,
        SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE,
        "Benign naevus; monitor.",
        Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED,
    )
    outcome = ClosingOutcome.MANAGED_IN_PRIMARY_CARE
    gp.actions.close(gp.user, cid, outcome, AdviceUseful.PARTLY, "Reassured; will review.")
    view = gp.requests.view(cid)
    text = advice_as_text(view, gp.catalogue.template(view.form.specialty_code))
    lines = text.splitlines()

    assert "Present for years, darker recently." in lines  # the clinical summary
    assert "Site of the lesion: Left upper back" in lines  # question label: answer
    assert "Changes noticed: Change in colour" in lines
    request_files = lines.index("Files: left-back.png")
    advice_files = lines.index("Files: clinic-letter.pdf")
    assert text.index("Question, ") < text.index("Files: left-back.png") < text.index("Advice, ")
    assert request_files < advice_files
    assert "Outcome: Managed in primary care" in lines
    assert "Reassured; will review." in lines  # the closing note, in the thread
    assert "Advice useful: Partly" in lines
    assert lines[-1] == "Referral avoided: Yes"  # the GP would have referred without it
