"""Text being written in a conversation, kept as typed; refused words and files back;
snippets."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bhcp_ag.domain.conversation import SpecialistOutcome
from bhcp_ag.services.attachments import read_content
from bhcp_ag.services.composer import Composer, FilesBack, SnippetRefused
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.conversations import record_change
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Attachment, Conversation, OutboxChange, RejectedChange
from bhcp_ag.store.sync_state import PendingChange, Refusal, pending_batch, record_rejection
from bhcp_ag.sync.push import settle
from bhcp_ag.sync.wire import ChangeResult
from tests.attachment_files import letter_pdf
from tests.services.conftest import Clock, accepted
from tests.services.test_requests import NOW, PNG
from tests.sync.test_sync_state import snapshot

PDF = letter_pdf("A discharge letter")


def test_a_draft_survives_reopening_the_store(
    gp, make_store, seeded_store: Store, clock: Clock
) -> None:
    cid = accepted(gp)
    gp.composer.save(cid, "Photos: 3, lesion 6 mm", None)
    path = Path(str(seeded_store.engine.url.database))
    seeded_store.close()
    reopened = Store.open(path)
    try:
        written = Composer(reopened, gp.user.id).load(cid)
        assert written is not None and written.body == "Photos: 3, lesion 6 mm"
    finally:
        reopened.close()


def test_empty_text_removes_the_draft_but_a_choice_alone_is_kept(gp) -> None:
    cid = accepted(gp)
    gp.composer.save(cid, "something")
    gp.composer.save(cid, "  ")
    assert gp.composer.load(cid) is None
    gp.composer.save(cid, "", "RETURN_TO_REFERRER_WITH_ADVICE")
    written = gp.composer.load(cid)
    assert written is not None and written.choice == "RETURN_TO_REFERRER_WITH_ADVICE"


def test_words_the_hub_refused_come_back_once(gp, clock: Clock) -> None:
    cid = accepted(gp)
    gp.composer.save(cid, "older draft")
    clock.now += timedelta(minutes=5)
    change = PendingChange("c-1", 1, "conversation.reply", cid, {"body": "My reply"}, NOW)
    with gp.store.session() as session:
        record_rejection(
            session,
            Refusal(change, "transition_refused", "The request was cancelled.", "My reply"),
            clock.now,
        )
    written = gp.composer.load(cid)
    assert written is not None
    assert (written.body, written.restored_from_refusal) == (
        "My reply",
        "The request was cancelled.",
    )
    gp.composer.refusals_seen(cid)
    again = gp.composer.load(cid)
    assert again is not None and again.body == "older draft"
    with gp.store.read_session() as session:
        assert session.get(RejectedChange, "c-1").seen_at is not None


def _asked_for_more(gp: Workspace, specialist: Workspace) -> str:
    """A request of the GP's that the specialist has asked more about (at the hub too)."""
    cid = accepted(gp)
    specialist.actions.respond(
        specialist.user, cid, SpecialistOutcome.REQUIRE_FURTHER_INFORMATION, "Photos?"
    )
    with gp.store.session() as session:
        session.execute(update(OutboxChange).values(state="applied"))
    return cid


def _refused_by_the_hub(store: Store, clock: Clock, reason: str) -> None:
    """What sync does when the hub refuses the change queued last: settle the refusal,
    and make the conversation the hub's snapshot (still waiting for the GP's reply)."""
    with store.read_session() as session:
        change = pending_batch(session, 100, None)[-1]
        conv = session.get(Conversation, change.conversation_id)
        assert conv is not None
        as_the_hub_has_it = snapshot(
            conv.id,
            status="more_info_requested",
            practice_code=conv.practice_code,
            requester_id=conv.requester_id,
            specialty_code=conv.specialty_code,
        )
    refused = ChangeResult(change.id, "rejected", "transition_refused", reason, as_the_hub_has_it)
    with store.session() as session:
        settle(session, [change], [refused], clock.now)


def test_files_of_a_refused_reply_come_back_once_with_its_words(
    gp: Workspace, specialist: Workspace, clock: Clock
) -> None:
    cid = _asked_for_more(gp, specialist)
    gp.composer.add_file(cid, "arm.png", PNG)
    gp.composer.add_file(cid, "letter.pdf", PDF)
    gp.actions.reply(gp.user, cid, "Photo and the discharge letter attached.")
    clock.now += timedelta(minutes=2)
    _refused_by_the_hub(gp.store, clock, "A colleague replied first.")
    with gp.store.read_session() as session:  # the sent copies went with the message
        assert session.scalars(select(Attachment.filename)).all() == []
    assert gp.composer.files(cid) == []
    again = gp.composer.add_file(cid, "arm-again.png", PNG)  # the user picked it again

    clock.now += timedelta(minutes=1)
    written = gp.composer.load(cid)
    assert written is not None and written.restored_from_refusal == "A colleague replied first."
    back = gp.composer.refusals_seen(cid, written)
    assert [(f.filename, f.mime_type, f.size) for f in back.restored] == [
        ("letter.pdf", "application/pdf", len(PDF))
    ]
    assert back.missing == ()
    files = gp.composer.files(cid)
    assert [f.filename for f in files] == ["arm-again.png", "letter.pdf"]  # not arm.png twice
    assert files[0] == again
    assert read_content(gp.store, files[1].sha256).content == PDF

    assert gp.composer.refusals_seen(cid) == FilesBack()  # once
    assert [f.filename for f in gp.composer.files(cid)] == ["arm-again.png", "letter.pdf"]
    kept = gp.composer.load(cid)
    assert kept is not None and kept.body == "Photo and the discharge letter attached."
    assert kept.restored_from_refusal is None  # the words are the draft now

    gp.actions.reply(gp.user, cid, kept.body)  # ready to send again
    with gp.store.read_session() as session:
        payload = json.loads(session.scalars(select(OutboxChange.payload)).all()[-1])
    assert [a["filename"] for a in payload["attachments"]] == ["arm-again.png", "letter.pdf"]


def test_only_replies_and_responses_bring_files_to_the_composer(
    gp: Workspace, clock: Clock
) -> None:
    """A refused request is a draft again with its files on it: none come here too."""
    cid = accepted(gp)
    gp.composer.add_file(cid, "arm.png", PNG)
    picked = gp.composer.files(cid)[0]
    gp.composer.remove_file(picked.id)  # its bytes stay in the store
    sent = {"attachments": [{"id": "a-1", "sha256": picked.sha256, "filename": "arm.png"}]}
    with gp.store.session() as session:
        change = record_change(
            session, "conversation.submit", sent, conversation_id=cid, user_id=gp.user.id
        )
        pending = PendingChange(change.id, change.seq, change.kind, cid, sent, NOW)
        record_rejection(session, Refusal(pending, "invalid", "Pick a specialty.", "Q?"), NOW)
    assert gp.composer.refusals_seen(cid) == FilesBack()
    assert gp.composer.files(cid) == []


def test_snippets_belong_to_their_specialist(gp, specialist) -> None:
    snippet = specialist.composer.add_snippet(" Reassure ", "Benign; reassure and discharge.")
    specialist.composer.add_snippet("Biopsy", "Please arrange a punch biopsy.")
    assert [s.title for s in specialist.composer.snippets()] == ["Biopsy", "Reassure"]
    assert gp.composer.snippets() == []
    gp.composer.delete_snippet(snippet.id)  # not theirs: nothing happens
    assert len(specialist.composer.snippets()) == 2
    specialist.composer.delete_snippet(snippet.id)
    assert [s.title for s in specialist.composer.snippets()] == ["Biopsy"]


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [("", "text", "title"), ("x" * 81, "text", "80"), ("Fine", " ", "snippet")],
)
def test_a_snippet_needs_a_title_and_text(specialist, title, body, message) -> None:
    with pytest.raises(SnippetRefused, match=message):
        specialist.composer.add_snippet(title, body)


def test_refused_words_and_files_come_back_only_to_their_author(
    gp: Workspace, specialist: Workspace, clock: Clock
) -> None:
    """On a computer two people share, the other one never gets them (nor marks them seen)."""
    cid = _asked_for_more(gp, specialist)
    gp.composer.add_file(cid, "arm.png", PNG)
    gp.actions.reply(gp.user, cid, "Photo attached.")
    clock.now += timedelta(minutes=2)
    _refused_by_the_hub(gp.store, clock, "A colleague replied first.")
    colleague = Composer(gp.store, "another-gp-of-the-practice", lambda: clock.now)
    assert colleague.load(cid) is None
    assert colleague.refusals_seen(cid) == FilesBack()
    written = gp.composer.load(cid)
    assert written is not None and written.body == "Photo attached."
    assert [f.filename for f in gp.composer.refusals_seen(cid, written).restored] == ["arm.png"]
