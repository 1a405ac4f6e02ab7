"""Text being written in a conversation, kept as typed; refused words back; snippets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bhcp_ag.services.composer import Composer, SnippetRefused
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import RejectedChange
from bhcp_ag.store.sync_state import PendingChange, Refusal, record_rejection
from tests.services.conftest import Clock, accepted
from tests.services.test_requests import NOW


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
