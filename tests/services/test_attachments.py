"""A draft's attachments through the services: read a file, list, read back and remove."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bhcp_ag.domain.files import MAX_SOURCE_BYTES
from bhcp_ag.domain.limits import MAX_ATTACHMENT_BYTES, AttachmentRefused
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services import attachments
from bhcp_ag.services.attachments import AttachmentNotFound
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Attachment, AttachmentContent
from tests.attachment_files import clean_png, letter_pdf
from tests.forms import DERMATOLOGY

PNG = clean_png()  # cleaning it again changes no byte
PDF = letter_pdf()
DRAFT = AdviceRequestForm(specialty_code="330", question="Is this lesion safe to monitor?")


@pytest.fixture
def workspace(seeded_store: Store) -> Workspace:
    """The demo GP, with a clock that moves on a second per call (attachments keep order)."""
    ticks = count()
    catalogue = SpecialtyCatalogue.load()
    ws = Workspace.open(seeded_store, "demo.gp", catalogue, ResponseTargets.load())
    ws.requests = AdviceRequests(
        seeded_store,
        catalogue,
        ResponseTargets.load(),
        now=lambda: datetime(2026, 11, 23, 10, 0, next(ticks), tzinfo=UTC),
    )
    return ws


@pytest.fixture
def draft_id(workspace: Workspace) -> str:
    return workspace.requests.save_draft(workspace.user.id, DRAFT)


def _count(store: Store, model: type) -> int:
    with store.read_session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_drafts_files_are_listed_in_order_with_their_bytes(
    workspace: Workspace, draft_id: str
) -> None:
    workspace.requests.attach(draft_id, "rash.png", PNG)
    workspace.requests.attach(draft_id, "/tmp/letter.pdf", PDF)
    other = workspace.requests.save_draft(workspace.user.id, DRAFT)
    workspace.requests.attach(other, "elsewhere.png", PNG)
    files = attachments.conversation_attachments(workspace.store, draft_id)
    assert [(f.filename, f.mime_type, f.size) for f in files] == [
        ("rash.png", "image/png", len(PNG)),
        ("letter.pdf", "application/pdf", len(PDF)),
    ]
    assert files[1].content == PDF
    assert attachments.conversation_attachments(workspace.store, "no-such-id") == []


def test_content_is_read_back_by_its_sha256(workspace: Workspace, draft_id: str) -> None:
    sha256 = workspace.requests.attach(draft_id, "letter.pdf", PDF).sha256
    stored = attachments.read_content(workspace.store, sha256)
    assert (stored.mime_type, stored.size, stored.content) == ("application/pdf", len(PDF), PDF)
    with pytest.raises(AttachmentNotFound):
        attachments.read_content(workspace.store, "0" * 64)


def test_detaching_keeps_bytes_another_attachment_still_uses(
    workspace: Workspace, draft_id: str
) -> None:
    workspace.requests.attach(draft_id, "rash.png", PNG)
    workspace.requests.attach(draft_id, "same-rash.png", PNG)
    first, second = attachments.conversation_attachments(workspace.store, draft_id)
    assert attachments.detach(workspace.store, first.id) == "rash.png"
    assert [
        f.filename for f in attachments.conversation_attachments(workspace.store, draft_id)
    ] == ["same-rash.png"]
    assert _count(workspace.store, AttachmentContent) == 1  # still used by the other one
    attachments.detach(workspace.store, second.id)
    assert _count(workspace.store, Attachment) == 0
    assert _count(workspace.store, AttachmentContent) == 0  # nothing refers to it now
    with pytest.raises(AttachmentNotFound):
        attachments.detach(workspace.store, second.id)


def test_detaching_keeps_bytes_a_composer_is_waiting_to_send(
    workspace: Workspace, draft_id: str
) -> None:
    workspace.requests.attach(draft_id, "rash.png", PNG)
    other = workspace.requests.save_draft(workspace.user.id, DRAFT)
    waiting = workspace.composer.add_file(other, "same-rash.png", PNG)
    [attached] = attachments.conversation_attachments(workspace.store, draft_id)
    attachments.detach(workspace.store, attached.id)  # used to break the foreign key
    assert _count(workspace.store, AttachmentContent) == 1
    assert attachments.read_content(workspace.store, waiting.sha256).content == PNG
    workspace.composer.remove_file(waiting.id)


def test_a_sent_requests_files_cannot_be_removed(workspace: Workspace) -> None:
    complete = replace(DERMATOLOGY, patient_nhs_number="943 476 5919")
    draft = workspace.requests.save_draft(workspace.user.id, complete)
    workspace.requests.attach(draft, "rash.png", PNG)
    workspace.requests.submit(workspace.user.id, complete, conversation_id=draft)
    [sent_file] = attachments.conversation_attachments(workspace.store, draft)
    with pytest.raises(ValueError, match="before it is sent"):
        attachments.detach(workspace.store, sent_file.id)
    assert _count(workspace.store, Attachment) == 1


def test_reading_a_file_refuses_one_over_40_mb_before_reading_it(tmp_path: Path) -> None:
    small = tmp_path / "rash.png"
    small.write_bytes(PNG)
    assert attachments.read_file(small) == PNG
    big = tmp_path / "scan.pdf"
    with big.open("wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 200 * 1024)  # sparse: nothing to read
    with pytest.raises(AttachmentRefused, match=r"'scan.pdf' is 40\.2 MB; .* at most 40 MB"):
        attachments.read_file(big)
    with big.open("wb") as handle:  # over 5 MB is read (a photo would be made smaller) ...
        handle.truncate(MAX_ATTACHMENT_BYTES + 200 * 1024)
    with pytest.raises(AttachmentRefused, match=r"'scan.pdf' is 5\.2 MB; .* at most 5 MB"):
        attachments.prepare("scan.pdf", attachments.read_file(big))  # ... but a PDF is not
    with pytest.raises(OSError):
        attachments.read_file(tmp_path / "missing.png")
