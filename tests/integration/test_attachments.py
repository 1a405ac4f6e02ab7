"""Attachments by SHA-256 over HTTP: upload checks, a request that refers to them, and
fetches authorised through the conversations that refer to them (404 otherwise)."""

from __future__ import annotations

import hashlib
import uuid

from bhcp_ag.domain.limits import MAX_ATTACHMENT_BYTES
from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST
from tests.attachment_files import clean_png, letter_pdf

PNG = clean_png()  # as the hub's cleaning writes it: kept byte for byte
PDF = letter_pdf()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put(hub, username: str, data: bytes, sha256: str | None = None, mime: str = "image/png"):
    return hub.request(
        "PUT",
        f"/api/v1/attachments/{sha256 or _sha(data)}",
        token=hub.token(username),
        data=data,
        headers={"Content-Type": mime},
    )


def _get(hub, username: str, sha256: str):
    return hub.request("GET", f"/api/v1/attachments/{sha256}", token=hub.token(username))


def _refused(response, status: int, code: str) -> str:
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    detail: str = response.json()["detail"]
    return detail


def test_uploads_are_checked_and_idempotent(hub) -> None:
    first = _put(hub, DEMO_GP, PNG)
    assert first.status_code == 201, first.text
    assert first.json() == {"sha256": _sha(PNG), "mime_type": "image/png", "size": len(PNG)}
    assert _put(hub, DEMO_GP, PNG).status_code == 200  # the same bytes again, same caller
    assert _put(hub, DEMO_SPECIALIST, PNG).status_code == 201  # first time for this caller
    assert _put(hub, DEMO_GP, PDF, mime="image/png").json()["mime_type"] == "application/pdf"

    assert "SHA-256" in _refused(_put(hub, DEMO_GP, PNG, _sha(PDF)), 400, "hash_mismatch")
    text = b"just some text, not a picture"
    detail = _refused(_put(hub, DEMO_GP, text, mime="image/jpeg"), 415, "attachment_type_refused")
    assert "JPEG, PNG or PDF" in detail
    big = PNG + bytes(MAX_ATTACHMENT_BYTES + 1 - len(PNG))
    assert "at most 5 MB" in _refused(_put(hub, DEMO_GP, big), 413, "attachment_too_large")
    huge = PNG + bytes(9 * 1024 * 1024)
    _refused(_put(hub, DEMO_GP, huge), 413, "request_too_large")
    _refused(_put(hub, DEMO_GP, b""), 400, "attachment_empty")
    _refused(_put(hub, DEMO_GP, PNG, "not-a-hash"), 422, "invalid_input")
    for username in (DEMO_MANAGER, DEMO_ADMIN):
        _refused(_put(hub, username, PNG), 403, "forbidden")
    assert hub.request("PUT", f"/api/v1/attachments/{_sha(PNG)}", data=PNG).status_code == 401


def test_a_request_refers_to_uploaded_attachments_only(sync) -> None:
    hub = sync.hub
    missing = {"sha256": _sha(PDF), "filename": "letter.pdf"}
    [refused] = sync.push(DEMO_GP, sync.request(attachments=[missing]))
    assert (refused["status"], refused["code"]) == ("rejected", "attachment_missing")
    assert "letter.pdf" in refused["reason"]

    assert _put(hub, DEMO_GP, PNG).status_code == 201
    assert _put(hub, DEMO_GP, PDF).status_code == 201
    photo_id = str(uuid.uuid4())
    attachments = [
        {"id": photo_id, "sha256": _sha(PNG), "filename": "forearm.png"},
        {"sha256": _sha(PDF), "filename": "letter.pdf"},
    ]
    request = sync.request(attachments=attachments)
    [sent] = sync.push(DEMO_GP, request)
    assert sent["status"] == "applied", sent
    snapshot = sent["conversation"]
    request_message = snapshot["messages"][0]["id"]
    assert request_message == request["payload"]["message_id"]
    held = {a["sha256"]: a for a in snapshot["attachments"]}
    assert held[_sha(PNG)]["id"] == photo_id  # the client's id, kept
    assert {a["message_id"] for a in held.values()} == {request_message}
    assert (held[_sha(PDF)]["mime_type"], held[_sha(PDF)]["size"]) == ("application/pdf", len(PDF))
    pulled, _ = sync.pull(DEMO_SPECIALIST)
    assert pulled[request["conversation_id"]]["attachments"] == snapshot["attachments"]


def test_fetching_is_authorised_through_the_conversations(sync, more_users) -> None:
    other_gp, _, cardiologist = more_users
    hub = sync.hub
    _put(hub, DEMO_GP, PNG)
    [sent] = sync.push(
        DEMO_GP, sync.request(attachments=[{"sha256": _sha(PNG), "filename": "a.png"}])
    )
    assert sent["status"] == "applied"
    for username in (DEMO_GP, DEMO_SPECIALIST, DEMO_ADMIN):
        response = _get(hub, username, _sha(PNG))
        assert response.status_code == 200, (username, response.text)
        assert response.content == PNG
        assert response.headers["content-type"] == "image/png"
        assert response.headers["x-content-type-options"] == "nosniff"

    unreferenced = PDF + b"%% never sent"
    assert _put(hub, DEMO_GP, unreferenced).status_code == 201
    refusals = [
        _get(hub, DEMO_MANAGER, _sha(PNG)),  # the practice's manager: a review, no files
        _get(hub, other_gp, _sha(PNG)),  # another practice
        _get(hub, cardiologist, _sha(PNG)),  # another specialty
        _get(hub, DEMO_GP, _sha(unreferenced)),  # uploaded, but no conversation refers to it
        _get(hub, DEMO_GP, _sha(b"never uploaded")),
        _get(hub, DEMO_GP, "not-a-hash"),
    ]
    assert {(r.status_code, r.text) for r in refusals} == {(404, refusals[0].text)}
    assert refusals[0].json()["code"] == "attachment_not_found"
