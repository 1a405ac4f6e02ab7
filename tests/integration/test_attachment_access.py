"""A file's SHA-256 is not a key to it, over HTTP on SQLite and PostgreSQL.

The matrix: every kind of caller (a GP of the practice and of another, a specialist of the
specialty and of another, an administrator, a practice manager) pushes a submit, a reply
and a response that refer to bytes

- held for someone else (uploaded by a GP and attached to a conversation of BAY001 in
  dermatology; or uploaded by a dermatologist and attached to nothing),
- not held at all,
- uploaded by the caller themselves.

Where the caller may not refer to the bytes, the answer is the very answer for bytes the
hub does not hold; a ``PUT`` answers 201 the first time the caller sends bytes, whoever
else holds them; and the file is never served to them.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from typing import Any

import pytest

from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST
from tests.attachment_files import clean_png
from tests.integration.conftest import CARDIOLOGIST, OTHER_GP, SECOND_DERMATOLOGIST, Sync

# Who each caller is: (practice they send for, specialty they answer).
CALLERS = {
    DEMO_GP: ("BAY001", None),
    OTHER_GP: ("BAY002", None),
    DEMO_SPECIALIST: (None, "330"),
    CARDIOLOGIST: (None, "320"),
    DEMO_ADMIN: (None, None),
    DEMO_MANAGER: (None, None),
}
UPLOADERS = (DEMO_GP, OTHER_GP, DEMO_SPECIALIST, CARDIOLOGIST)
# Who may see the "secret" photo (a conversation of BAY001, dermatology). The practice's
# manager sees that conversation's review only: never its files (the minimum necessary).
SEES_SECRET = {DEMO_GP, DEMO_SPECIALIST, DEMO_ADMIN}
# Which operations each caller is allowed at all.
ALLOWED = {"submit": {DEMO_GP, OTHER_GP}, "reply": {DEMO_GP, OTHER_GP}}
ALLOWED["respond"] = {DEMO_SPECIALIST, CARDIOLOGIST}
FILE = "rash.png"
SECRET, ORPHAN, ABSENT = (clean_png(colour=(n, 0, 77)) for n in (1, 2, 3))
_colours = itertools.count(1)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fresh_png() -> bytes:
    n = next(_colours)
    return clean_png(colour=(n % 256, (n // 256) % 256, 99))


def _put(sync: Sync, username: str, data: bytes) -> Any:
    return sync.hub.request(
        "PUT",
        f"/api/v1/attachments/{_sha(data)}",
        token=sync.hub.token(username),
        data=data,
        headers={"Content-Type": "image/png"},
    )


def _get(sync: Sync, username: str, sha256: str) -> Any:
    return sync.hub.request("GET", f"/api/v1/attachments/{sha256}", token=sync.hub.token(username))


def _applied(sync: Sync, username: str, change: dict[str, Any]) -> str:
    [result] = sync.push(username, change)
    assert result["status"] == "applied", result
    return str(change["conversation_id"])


def _request_for(sync: Sync, practice: str, specialty: str, **payload: Any) -> dict[str, Any]:
    return sync.request(practice_code=practice, specialty_code=specialty, **payload)


def _target(sync: Sync, operation: str, caller: str) -> str | None:
    """A conversation the caller's change can apply to (None for a submit: a new one)."""
    practice, specialty = CALLERS[caller]
    if operation == "submit":
        return None
    if operation == "respond":
        return _applied(sync, DEMO_GP, _request_for(sync, "BAY001", specialty or "330"))
    gp = caller if practice else DEMO_GP
    cid = _applied(sync, gp, _request_for(sync, practice or "BAY001", "330"))
    ask = {"outcome": "REQUIRE_FURTHER_INFORMATION", "body": "Please send a closer photo."}
    _applied(
        sync, DEMO_SPECIALIST, sync.change("respond", cid, message_id=str(uuid.uuid4()), **ask)
    )
    return cid


def _change(sync: Sync, operation: str, caller: str, cid: str | None, sha256: str) -> dict:
    refs = [{"sha256": sha256, "filename": FILE}]
    message = str(uuid.uuid4())
    if operation == "submit":
        return _request_for(sync, CALLERS[caller][0] or "BAY001", "330", attachments=refs)
    if operation == "reply":
        return sync.change("reply", cid, message_id=message, body="Closer photo.", attachments=refs)
    advice = {"outcome": "REQUIRE_FURTHER_INFORMATION", "body": "Is it itchy at night?"}
    return sync.change("respond", cid, message_id=message, attachments=refs, **advice)


def _answer(sync: Sync, caller: str, change: dict[str, Any]) -> tuple[str, str, str]:
    [result] = sync.push(caller, change)
    return result["status"], result.get("code", ""), result.get("reason", "")


@pytest.fixture
def held(sync: Sync, more_users: tuple[str, str, str]) -> dict[str, str]:
    """SHA-256es: a photo in a BAY001 dermatology conversation, one uploaded by a second
    dermatologist and attached to nothing, and bytes never uploaded."""
    assert _put(sync, DEMO_GP, SECRET).status_code == 201
    refs = [{"sha256": _sha(SECRET), "filename": "forearm.png"}]
    _applied(sync, DEMO_GP, _request_for(sync, "BAY001", "330", attachments=refs))
    assert _put(sync, SECOND_DERMATOLOGIST, ORPHAN).status_code == 201
    return {"secret": _sha(SECRET), "orphan": _sha(ORPHAN), "absent": _sha(ABSENT)}


@pytest.mark.parametrize("operation", ["submit", "reply", "respond"])
def test_a_change_refers_only_to_bytes_its_author_may_have(
    sync: Sync, held: dict[str, str], operation: str
) -> None:
    for caller in CALLERS:
        cid = _target(sync, operation, caller)
        answers = {
            kind: _answer(sync, caller, _change(sync, operation, caller, cid, held[kind]))
            for kind in ("absent", "orphan", "secret")  # the secret last: it may apply
        }
        allowed = caller in ALLOWED[operation]
        status, code, _ = answers["absent"]
        refusals = {"attachment_missing"} if allowed else {"forbidden", "conversation_not_found"}
        assert status == "rejected" and code in refusals, (caller, answers["absent"])
        if allowed:
            assert "'rash.png' has not reached the hub" in answers["absent"][2]
        assert answers["orphan"] == answers["absent"], caller  # identical, reason and all
        if allowed and caller in SEES_SECRET:  # already in a conversation they may see
            assert answers["secret"][0] == "applied", (caller, answers["secret"])
            cid = _target(sync, operation, caller)
        else:
            assert answers["secret"] == answers["absent"], caller
        if caller in UPLOADERS:
            own = _fresh_png()
            assert _put(sync, caller, own).status_code == 201
            mine = _answer(sync, caller, _change(sync, operation, caller, cid, _sha(own)))
            if allowed:
                assert mine[0] == "applied", (caller, mine)
                assert _get(sync, caller, _sha(own)).content == own
            else:
                assert mine == answers["absent"], caller


def test_uploading_tells_nothing_of_what_others_hold(sync: Sync, held: dict[str, str]) -> None:
    for caller in UPLOADERS:
        never = _fresh_png()
        # The caller has the bytes of the secret photo somehow: uploading them answers as
        # for bytes nobody holds, and only then may the caller refer to them.
        secret = SECRET
        first, fresh = _put(sync, caller, secret), _put(sync, caller, never)
        assert first.status_code == (200 if caller == DEMO_GP else 201), caller
        if caller != DEMO_GP:
            assert (first.status_code, first.json()["size"]) == (
                fresh.status_code,
                len(secret),
            )
        assert _put(sync, caller, secret).status_code == 200  # again: this caller has
    for caller in CALLERS:
        orphan = _get(sync, caller, held["orphan"])
        absent = _get(sync, caller, held["absent"])
        assert (
            (orphan.status_code, orphan.text)
            == (absent.status_code, absent.text)
            == (
                404,
                absent.text,
            )
        )
        secret_read = _get(sync, caller, held["secret"])
        if caller in SEES_SECRET:
            assert secret_read.status_code == 200
        else:
            assert (secret_read.status_code, secret_read.text) == (404, absent.text), caller
