"""A GP's request through the services: drafts, sending into the outbox, attachments."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bhcp_ag.domain.limits import AttachmentRefused
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.requests import AdviceRequests, RequestInvalid
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Attachment, Conversation, Message, OutboxChange
from bhcp_ag.store.sync_state import BoundHub, bind_hub
from tests.attachment_files import clean_png
from tests.forms import DERMATOLOGY

# Monday 23 November 2026, 10:00 GMT: due two working days later, Wednesday 10:00.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PNG = clean_png()  # cleaning it again changes no byte

FORM = replace(DERMATOLOGY, patient_nhs_number="943 476 5919")


@pytest.fixture
def workspace(seeded_store: Store) -> Workspace:
    catalogue = SpecialtyCatalogue.load()
    ws = Workspace.open(seeded_store, "demo.gp", catalogue, ResponseTargets.load())
    ws.requests = AdviceRequests(seeded_store, catalogue, ResponseTargets.load(), now=lambda: NOW)
    return ws


def _count(store: Store, model: type) -> int:
    with store.read_session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_sending_stores_the_request_and_queues_one_change(workspace: Workspace) -> None:
    sent = workspace.requests.submit(workspace.user.id, FORM)
    assert sent.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    with workspace.store.read_session() as session:
        conv = session.get(Conversation, sent.conversation_id)
        assert conv is not None
        assert (conv.status, conv.submitted_at, conv.practice_code) == (
            "submitted",
            NOW,
            workspace.user.practice_code,
        )
        change = session.get(OutboxChange, sent.change_id)
        assert change is not None and change.state == "pending"
        payload = json.loads(change.payload)
        assert payload["conversation_id"] == conv.id
        assert payload["template_answers"]["lesion_site"] == "Left upper back"
        assert payload["patient_birth_date"] == "1961-05-14"
        messages = session.scalars(select(Message).where(Message.conversation_id == conv.id))
        assert [m.kind for m in messages] == ["request"]
    assert workspace.changes_waiting() == 1


def test_an_incomplete_request_is_refused_and_nothing_is_queued(workspace: Workspace) -> None:
    before = _count(workspace.store, Conversation)
    with pytest.raises(RequestInvalid) as refused:
        workspace.requests.submit(workspace.user.id, replace(FORM, patient_nhs_number="123"))
    assert set(refused.value.problems) == {"patient_nhs_number"}
    assert _count(workspace.store, Conversation) == before
    assert workspace.changes_waiting() == 0


@pytest.mark.parametrize(
    ("hub", "sent"),
    [(None, True), (BoundHub("demo-hub", "http://127.0.0.1:1", True), True),
     (BoundHub("live-hub", "https://hub.example.nhs.uk", False), False)],
    ids=["not synced yet", "demo hub", "live hub"],
)  # fmt: skip
def test_a_test_patient_is_not_sent_to_a_live_hub(
    workspace: Workspace, hub: BoundHub | None, sent: bool
) -> None:
    if hub is not None:
        with workspace.store.session() as session:
            bind_hub(session, hub)
    assert workspace.requests.accepts_synthetic_patients() is sent
    synthetic = replace(FORM, patient_nhs_number="999 000 0018")
    if sent:
        workspace.requests.submit(workspace.user.id, synthetic)
        return
    with pytest.raises(RequestInvalid) as refused:
        workspace.requests.submit(workspace.user.id, synthetic)
    assert "synthetic (test patient) range" in refused.value.problems["patient_nhs_number"]
    real = workspace.requests.submit(
        workspace.user.id, replace(FORM, patient_nhs_number="401 000 2018")
    )
    assert real.conversation_id


def test_a_draft_keeps_what_was_typed_and_can_be_sent_later(workspace: Workspace) -> None:
    partial = AdviceRequestForm(specialty_code="410", question="Possible early RA?")
    draft_id = workspace.requests.save_draft(workspace.user.id, partial)
    assert workspace.requests.load_form(draft_id) == partial
    assert workspace.changes_waiting() == 0

    sent = workspace.requests.submit(workspace.user.id, FORM, conversation_id=draft_id)
    assert sent.conversation_id == draft_id
    assert workspace.requests.view(draft_id).status == "submitted"
    with pytest.raises(ValueError, match="already been sent"):
        workspace.requests.save_draft(workspace.user.id, partial, conversation_id=draft_id)


def test_an_over_long_draft_is_refused_with_the_limit(workspace: Workspace) -> None:
    with pytest.raises(RequestInvalid, match="8,000"):
        workspace.requests.save_draft(workspace.user.id, replace(FORM, results="r" * 8001))


def test_attachments_are_stored_once_by_content_and_sent_with_the_request(
    workspace: Workspace,
) -> None:
    draft_id = workspace.requests.save_draft(workspace.user.id, FORM)
    first = workspace.requests.attach(draft_id, "/home/gp/photo.png", PNG)
    again = workspace.requests.attach(draft_id, "copy.png", PNG)
    assert first.sha256 == again.sha256 and first.notes == again.notes == ()
    with pytest.raises(AttachmentRefused, match="JPEG"):
        workspace.requests.attach(draft_id, "notes.jpg", b"plain text, not a photo")
    assert _count(workspace.store, Attachment) == 2
    sent = workspace.requests.submit(workspace.user.id, FORM, conversation_id=draft_id)
    with workspace.store.read_session() as session:
        payload = json.loads(session.get(OutboxChange, sent.change_id).payload)  # type: ignore[union-attr]
    assert sorted(a["filename"] for a in payload["attachments"]) == ["copy.png", "photo.png"]
    assert sorted(workspace.requests.view(draft_id).attachment_names) == ["copy.png", "photo.png"]
    with pytest.raises(ValueError, match="before it is sent"):
        workspace.requests.attach(draft_id, "late.png", PNG)
