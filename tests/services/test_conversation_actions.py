"""Claim, release, respond, reply, close and cancel in the local store, as the hub will."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bhcp_ag.domain.actions import cancel_note_id
from bhcp_ag.domain.conversation import (
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    SpecialistOutcome,
    Status,
)
from bhcp_ag.services.conversation_actions import ActionRefused
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import ComposerDraft, Conversation, Message, OutboxChange, User
from tests.services.conftest import Clock, accepted, workspace_of
from tests.services.test_requests import FORM, NOW

ADVICE = SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE
QUESTION = SpecialistOutcome.REQUIRE_FURTHER_INFORMATION
CONVERT = SpecialistOutcome.PROVIDER_CONVERTED


def _conversation(store: Store, cid: str) -> Conversation:
    with store.read_session() as session:
        conv = session.get(Conversation, cid)
        assert conv is not None
        session.expunge(conv)
        return conv


def _outbox(store: Store) -> list[tuple[str, dict]]:
    with store.read_session() as session:
        rows = session.execute(
            select(OutboxChange.kind, OutboxChange.payload)
            .where(OutboxChange.state == "pending")
            .order_by(OutboxChange.seq)
        )
        return [(kind, json.loads(payload)) for kind, payload in rows]


def _add_user(store: Store, username: str, role: str, **fields: str) -> None:
    with store.session() as session:
        session.add(
            User(
                id=f"00000000-0000-4000-8000-{len(username):012d}",
                username=username,
                display_name=f"Dr {username.title()}",
                role=role,
                **fields,
            )
        )


def test_the_whole_conversation_in_the_store(
    gp: Workspace, specialist: Workspace, clock: Clock
) -> None:
    cid = accepted(gp)
    clock.now += timedelta(hours=1)
    specialist.actions.claim(specialist.user, cid)
    assert _conversation(gp.store, cid).claimed_by_id == specialist.user.id

    clock.now += timedelta(hours=1)
    asked = specialist.actions.respond(specialist.user, cid, QUESTION, "Any photos?")
    assert asked.status is Status.MORE_INFO_REQUESTED
    conv = _conversation(gp.store, cid)
    assert conv.first_response_at == NOW + timedelta(hours=2)
    assert conv.recommendation is None

    clock.now += timedelta(days=1)  # Tuesday 12:00: due again two working days on
    gp.actions.reply(gp.user, cid, "Photo attached in the record; lesion 6 mm.")
    conv = _conversation(gp.store, cid)
    assert conv.status == Status.AWAITING_SPECIALIST
    assert conv.due_at == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    clock.now += timedelta(hours=3)
    specialist.actions.respond(
        specialist.user,
        cid,
        ADVICE,
        "Benign seborrhoeic keratosis; reassure.",
        Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED,
    )
    conv = _conversation(gp.store, cid)
    assert (conv.status, conv.recommendation) == (
        Status.ADVICE_RETURNED,
        Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED,
    )
    assert conv.first_response_at == NOW + timedelta(hours=2)  # the first, not the last

    clock.now += timedelta(hours=1)
    with pytest.raises(ActionRefused, match="whether the advice was useful"):
        gp.actions.close(gp.user, cid, ClosingOutcome.MANAGED_IN_PRIMARY_CARE)
    done = gp.actions.close(gp.user, cid, ClosingOutcome.MANAGED_IN_PRIMARY_CARE, AdviceUseful.NO)
    conv = _conversation(gp.store, cid)
    assert done.status is Status.CLOSED and conv.advice_useful == "no"
    assert conv.referral_avoided is True
    assert conv.closed_at == clock.now

    kinds = [kind for kind, _ in _outbox(gp.store)]
    assert kinds == [
        "conversation.claim",
        "conversation.respond",
        "conversation.reply",
        "conversation.respond",
        "conversation.close",
    ]
    with gp.store.read_session() as session:
        thread = session.scalars(
            select(Message.kind).where(Message.conversation_id == cid).order_by(Message.created_at)
        )
        assert list(thread) == ["request", "question", "reply", "advice"]


def test_the_outbox_payloads_are_what_the_hub_takes(gp: Workspace, specialist: Workspace) -> None:
    from bhcp_ag.hub.changes import parse_payload

    cid = accepted(gp)
    specialist.actions.respond(
        specialist.user, cid, ADVICE, "Advice.", Recommendation.REFERRAL_RECOMMENDED
    )
    gp.actions.reply(gp.user, cid, "A follow-up question.")
    for kind, payload in _outbox(gp.store):
        parse_payload(kind, payload)  # raises Rejected if the hub would not take it
    _, respond = _outbox(gp.store)[0]
    with gp.store.read_session() as session:
        message = session.get(Message, respond["message_id"])
        assert message is not None and message.kind == "advice"
        assert message.recommendation == Recommendation.REFERRAL_RECOMMENDED


def test_advice_needs_a_recommendation_and_words(gp: Workspace, specialist: Workspace) -> None:
    cid = accepted(gp)
    with pytest.raises(ActionRefused, match="recommendation"):
        specialist.actions.respond(specialist.user, cid, ADVICE, "Advice.")
    with pytest.raises(ActionRefused, match="Your response"):
        specialist.actions.respond(specialist.user, cid, ADVICE, "   ", Recommendation.OTHER)
    with pytest.raises(ActionRefused, match="8,000|8000"):
        specialist.actions.respond(specialist.user, cid, QUESTION, "x" * 8001)
    assert _outbox(gp.store) == []
    assert _conversation(gp.store, cid).status == Status.AWAITING_SPECIALIST


def test_conversion_only_where_the_gp_authorised_it(gp: Workspace, specialist: Workspace) -> None:
    refused = accepted(gp)
    with pytest.raises(ActionRefused, match="did not authorise"):
        specialist.actions.respond(specialist.user, refused, CONVERT, "Booking clinic.")
    authorised = accepted(gp, convert_authorisation="AUTHORISED_TO_CONVERT")
    options = specialist.actions.options(specialist.user, authorised)
    assert not options.convert.allowed and "Claim the request" in str(options.convert.reason)
    specialist.actions.claim(specialist.user, authorised)
    assert specialist.actions.options(specialist.user, authorised).convert.allowed
    specialist.actions.release(specialist.user, authorised)
    assert not specialist.actions.options(specialist.user, refused).convert.allowed
    with pytest.raises(ActionRefused, match="Claim the request before converting it"):
        specialist.actions.respond(specialist.user, authorised, CONVERT, "Booking clinic.")
    specialist.actions.claim(specialist.user, authorised)
    done = specialist.actions.respond(specialist.user, authorised, CONVERT, "Booking clinic.")
    conv = _conversation(gp.store, authorised)
    assert done.status is Status.CONVERTED and conv.closed_at is not None
    assert conv.referral_avoided is False


def test_once_advice_is_sent_there_is_no_claim_to_release(
    gp: Workspace, specialist: Workspace
) -> None:
    cid = accepted(gp)
    specialist.actions.claim(specialist.user, cid)
    assert specialist.actions.options(specialist.user, cid).release.allowed
    specialist.actions.respond(
        specialist.user,
        cid,
        ADVICE,
        "Emollients.",
        Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED,
    )
    release = specialist.actions.options(specialist.user, cid).release
    assert not release.allowed and "has no claim to release" in release.reason
    with pytest.raises(ActionRefused, match="has no claim to release"):
        specialist.actions.release(specialist.user, cid)


def test_a_request_claimed_by_someone_else_says_who(
    gp: Workspace, specialist: Workspace, clock: Clock
) -> None:
    cid = accepted(gp)
    _add_user(gp.store, "colleague", "specialist", specialty_codes="330")
    colleague = workspace_of(gp.store, "colleague", clock)
    colleague.actions.claim(colleague.user, cid)
    options = specialist.actions.options(specialist.user, cid)
    assert not options.claim.allowed and not options.advise.allowed
    assert options.claimed_by_name == "Dr Colleague"
    assert "Dr Colleague claimed this request at 10:00 on Mon 23 Nov" in options.claim.reason
    with pytest.raises(ActionRefused, match="Only they or an administrator"):
        specialist.actions.release(specialist.user, cid)
    colleague.actions.release(colleague.user, cid)
    assert specialist.actions.options(specialist.user, cid).claim.allowed


def test_claiming_twice_queues_one_change(gp: Workspace, specialist: Workspace) -> None:
    cid = accepted(gp)
    specialist.actions.claim(specialist.user, cid)
    with pytest.raises(ActionRefused, match="You have claimed"):
        specialist.actions.claim(specialist.user, cid)
    assert [k for k, _ in _outbox(gp.store)] == ["conversation.claim"]


def test_who_may_do_what(gp: Workspace, specialist: Workspace, manager: Workspace) -> None:
    cid = accepted(gp)
    gp_options = gp.actions.options(gp.user, cid)
    assert not gp_options.claim.allowed and "specialist" in gp_options.claim.reason
    assert gp_options.cancel.allowed
    assert not gp_options.reply.allowed  # awaiting the specialist
    with pytest.raises(ActionRefused, match="Only a specialist"):
        gp.actions.respond(gp.user, cid, QUESTION, "Hmm?")
    with pytest.raises(ActionRefused, match="Practice managers"):
        manager.actions.cancel(manager.user, cid)
    with pytest.raises(ActionRefused, match="Only a GP"):
        specialist.actions.close(specialist.user, cid, ClosingOutcome.REFERRED)
    other_specialty = accepted(gp)
    with gp.store.session() as session:  # general surgery: not this specialist's
        session.get(Conversation, other_specialty).specialty_code = "100"
    refused = specialist.actions.options(specialist.user, other_specialty).claim
    assert refused.reason == "Only a specialist of the request's specialty can claim this request."


def test_cancelling_keeps_the_reason_as_a_note_the_hub_will_match(gp: Workspace) -> None:
    cid = accepted(gp)
    gp.actions.cancel(gp.user, cid, "Patient seen privately.")
    with gp.store.read_session() as session:
        note = session.get(Message, cancel_note_id(cid))
        assert note is not None and note.body == "Patient seen privately."
    assert _conversation(gp.store, cid).status == Status.CANCELLED
    assert _outbox(gp.store)[-1] == (
        "conversation.cancel",
        {"reason": "Patient seen privately."},
    )


def test_a_draft_is_discarded_without_the_hub(gp: Workspace) -> None:
    cid = gp.requests.save_draft(gp.user.id, FORM)
    gp.actions.cancel(gp.user, cid)
    with gp.store.read_session() as session:
        assert session.get(Conversation, cid) is None
    assert _outbox(gp.store) == []


def test_sending_words_clears_what_was_being_written(gp: Workspace, specialist: Workspace) -> None:
    cid = accepted(gp)
    specialist.composer.save(cid, "Half-written advice", ADVICE.value)
    gp.composer.save(cid, "The GP's own note to self")
    specialist.actions.respond(specialist.user, cid, QUESTION, "Any photos?")
    assert specialist.composer.load(cid) is None
    assert gp.composer.load(cid) is not None  # another user's draft is theirs
    with gp.store.read_session() as session:
        assert session.scalar(select(ComposerDraft.user_id)) == gp.user.id


def test_files_picked_while_writing_go_with_the_reply(gp: Workspace, specialist: Workspace) -> None:
    from bhcp_ag.domain.limits import AttachmentRefused
    from bhcp_ag.hub.changes import parse_payload
    from bhcp_ag.store.models import Attachment
    from tests.services.test_requests import PNG

    cid = accepted(gp)
    specialist.actions.respond(specialist.user, cid, QUESTION, "A photo, please?")
    picked = gp.composer.add_file(cid, "/home/gp/Pictures/arm.png", PNG)
    assert picked.filename == "arm.png" and picked.mime_type == "image/png"
    with pytest.raises(AttachmentRefused):
        gp.composer.add_file(cid, "notes.txt", b"plain text")
    assert [f.filename for f in gp.composer.files(cid)] == ["arm.png"]
    assert specialist.composer.files(cid) == []  # the GP's, not the specialist's

    gp.actions.reply(gp.user, cid, "Photo attached.")
    kind, payload = _outbox(gp.store)[-1]
    parse_payload(kind, payload)
    assert [a["filename"] for a in payload["attachments"]] == ["arm.png"]
    with gp.store.read_session() as session:
        sent = session.get(Attachment, payload["attachments"][0]["id"])
        assert sent is not None and sent.message_id == payload["message_id"]
    assert gp.composer.files(cid) == []


def test_a_removed_file_does_not_go(gp: Workspace, specialist: Workspace) -> None:
    from tests.services.test_requests import PNG

    cid = accepted(gp)
    specialist.actions.respond(specialist.user, cid, QUESTION, "A photo, please?")
    picked = gp.composer.add_file(cid, "arm.png", PNG)
    gp.composer.remove_file(picked.id)
    gp.actions.reply(gp.user, cid, "No photo after all.")
    assert _outbox(gp.store)[-1][1]["attachments"] == []
