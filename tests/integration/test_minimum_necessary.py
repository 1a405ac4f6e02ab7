"""The minimum necessary to each role (Caldicott principle 3), through the real hub on
SQLite and PostgreSQL and a real desk's store.

A practice manager reviews whether referrals were avoided: their pull, the one
conversation they may read, and the store on their computer carry the review
(:mod:`bhcp_ag.domain.minimum`) and no patient details, clinical text, messages,
attachments or specialist names.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bhcp_ag.domain.demo.accounts import DEMO_PASSWORD
from bhcp_ag.domain.minimum import REVIEW_FIELDS
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST
from bhcp_ag.hub.models import AuditEntry
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.models import Conversation
from bhcp_ag.store.sync_state import CONTENT_KEY, read_state
from tests.attachment_files import clean_png
from tests.integration._client_helpers import Desk, advise, claim, live_hub, open_desk, submit
from tests.integration.conftest import Sync

__all__ = ["live_hub", "open_desk"]  # the fixtures, used here by name

NHS_NUMBER = "4010002018"
FAMILY, GIVEN = "Quilliam-Tarbuck", "Ottoline"
QUESTION = "MarkerQuestion about the left ankle ulcer"
SUMMARY = "MarkerSummary of a venous ulcer for nine weeks"
ADVICE = "MarkerAdvice: compression bandaging, review in four weeks"
PHOTO = clean_png(colour=(201, 17, 3))
CLINICAL = (
    NHS_NUMBER,
    FAMILY,
    GIVEN,
    "MarkerQuestion",
    "MarkerSummary",
    "MarkerAdvice",
    "ulcer.png",
)


def _leaks(text: str) -> list[str]:
    return [word for word in CLINICAL if word in text]


def _answered_request(sync: Sync) -> tuple[str, str]:
    """A GP's request with a photo, claimed and answered: (conversation id, photo's sha)."""
    sha = hashlib.sha256(PHOTO).hexdigest()
    put = sync.hub.request(
        "PUT",
        f"/api/v1/attachments/{sha}",
        token=sync.hub.token(DEMO_GP),
        data=PHOTO,
        headers={"Content-Type": "image/png"},
    )
    assert put.status_code in (200, 201), put.text
    request = sync.request(
        patient_nhs_number=NHS_NUMBER,
        patient_family_name=FAMILY,
        patient_given_name=GIVEN,
        question=QUESTION,
        clinical_summary=SUMMARY,
        attachments=[{"sha256": sha, "filename": "ulcer.png"}],
    )
    cid = str(request["conversation_id"])
    answer = {"message_id": str(uuid.uuid4()), "outcome": "RETURN_TO_REFERRER_WITH_ADVICE"}
    answer.update(recommendation="ADVICE_ONLY_NO_REFERRAL_RECOMMENDED", body=ADVICE)
    results = sync.push(DEMO_GP, request)
    results += sync.push(DEMO_SPECIALIST, sync.change("claim", cid))
    results += sync.push(DEMO_SPECIALIST, sync.change("respond", cid, **answer))
    assert [r["status"] for r in results] == ["applied"] * 3, results
    return cid, sha


def test_a_practice_managers_pull_carries_the_review_and_nothing_clinical(
    sync: Sync, hub_db: HubDatabase
) -> None:
    cid, sha = _answered_request(sync)

    full, _ = sync.pull(DEMO_GP)
    assert full[cid]["patient_family_name"] == FAMILY and full[cid]["messages"]  # the GP's

    page = sync.pull_page(DEMO_MANAGER)
    [review] = [c for c in page["conversations"] if c["id"] == cid]
    assert _leaks(json.dumps(page)) == []
    assert review["content"] == "review"
    assert (review["messages"], review["attachments"], review["template_answers"]) == ([], [], {})
    assert review["claimed_by_id"] is None  # whose workload it is: not the practice's
    assert {u["role"] for u in page["users"]} <= {"gp"}  # no specialist named
    # What a review needs is there, as the GP's pull has it.
    for field in REVIEW_FIELDS - {"content"}:
        assert review[field] == full[cid][field], field
    assert review["status"] == "advice_returned" and review["first_response_at"]

    one = sync.hub.request(
        "GET", f"/api/v1/conversations/{cid}", token=sync.hub.token(DEMO_MANAGER)
    )
    assert one.status_code == 200 and one.json()["content"] == "review"
    assert _leaks(one.text) == []

    photo = sync.hub.request(
        "GET", f"/api/v1/attachments/{sha}", token=sync.hub.token(DEMO_MANAGER)
    )
    absent = sync.hub.request(
        "GET", f"/api/v1/attachments/{'0' * 64}", token=sync.hub.token(DEMO_MANAGER)
    )
    assert (photo.status_code, photo.text) == (404, absent.text)  # as if no such file
    gp_photo = sync.hub.request("GET", f"/api/v1/attachments/{sha}", token=sync.hub.token(DEMO_GP))
    assert gp_photo.status_code == 200 and gp_photo.content == PHOTO

    with hub_db.transaction() as session:  # the audit keeps what was served, and as what
        pulls = session.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.action == "sync.pull", AuditEntry.username == DEMO_MANAGER
            )
        ).all()
    assert any(detail.get("view") == "review" for detail in pulls), pulls


def _store_text(path: Path) -> str:
    """Every value of every table of the store, as text (what a thief of the file gets)."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def _store_path(desk: Desk) -> Path:
    url = desk.store.engine.url
    assert url.database
    return Path(url.database)


def test_a_practice_managers_store_holds_no_more_and_a_shared_desk_changes_hands(
    hub_server: str, open_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    gp = open_desk(hub_server, DEMO_GP)
    specialist = open_desk(hub_server, DEMO_SPECIALIST)
    cid = submit(
        gp,
        patient_nhs_number=NHS_NUMBER,
        patient_family_name=FAMILY,
        patient_given_name=GIVEN,
        question=QUESTION,
        clinical_summary=SUMMARY,
    )
    gp.sync()
    specialist.sync()
    claim(specialist, cid)
    advise(specialist, cid, body=ADVICE)
    specialist.sync()
    gp.sync()
    assert set(_leaks(_store_text(_store_path(gp)))) >= {NHS_NUMBER, FAMILY, "MarkerAdvice"}

    # The practice manager's own computer: a review of each conversation, no more.
    manager = open_desk(hub_server, DEMO_MANAGER)
    report = manager.sync()
    assert report.pulled >= 1
    with manager.store.read_session() as session:
        conv = session.get(Conversation, cid)
        assert conv is not None and conv.status == "advice_returned"
        assert conv.first_response_at is not None and conv.messages == []
        assert read_state(session, CONTENT_KEY) == "review"
    assert _leaks(_store_text(_store_path(manager))) == []

    # A shared practice computer: the GP's desk, and the GP's draft typed but not sent.
    requests_ = AdviceRequests(gp.store, SpecialtyCatalogue.load(), ResponseTargets.load())
    draft = requests_.save_draft(gp.user_id, _draft_form())
    gp.engine.sign_in(DEMO_MANAGER, DEMO_PASSWORD)
    gp.sync()
    with gp.store.read_session() as session:
        kept = session.get(Conversation, draft)
        assert kept is not None and kept.question == "MarkerDraft typed, not sent"  # theirs
        synced = session.get(Conversation, cid)
        assert synced is not None and synced.question == "" and synced.messages == []
    assert _leaks(_store_text(_store_path(gp))) == []

    # And back to the GP: their whole view comes back, nothing lost.
    gp.engine.sign_in(DEMO_GP, DEMO_PASSWORD)
    gp.sync()
    with gp.store.read_session() as session:
        conv = session.get(Conversation, cid)
        assert conv is not None and conv.question == QUESTION
        assert ADVICE in [m.body for m in conv.messages]
        assert session.get(Conversation, draft) is not None
        assert read_state(session, CONTENT_KEY) == "full"


def _draft_form() -> Any:
    from dataclasses import replace

    from tests.forms import DERMATOLOGY

    return replace(DERMATOLOGY, question="MarkerDraft typed, not sent")
