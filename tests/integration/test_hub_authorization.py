"""Authorization at the hub: every role against every endpoint and against others' data.

A conversation outside the caller's scope must get exactly the response a nonexistent id
gets, and every read (allowed or not) must be in the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST, user_id
from bhcp_ag.hub.models import AuditEntry

ROLES = (DEMO_GP, DEMO_SPECIALIST, DEMO_MANAGER, DEMO_ADMIN)
NEW_USER = {
    "username": "new.gp",
    "display_name": "Dr New",
    "role": "gp",
    "practice_code": "BAY002",
    "password": "a-good-long-password",
}

# (method, path, body) -> the status each role gets: gp, specialist, manager, admin.
ENDPOINTS: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("GET", "/api/v1/me"): (200, 200, 200, 200),
    ("GET", "/api/v1/practices"): (200, 200, 200, 200),
    ("GET", "/api/v1/specialties"): (200, 200, 200, 200),
    ("GET", "/api/v1/users"): (403, 403, 403, 200),
    ("POST", "/api/v1/users"): (403, 403, 403, 201),
    ("GET", "/api/v1/me/sessions"): (200, 200, 200, 200),
    ("GET", f"/api/v1/users/{user_id(DEMO_GP)}/sessions"): (403, 403, 403, 200),
    ("POST", f"/api/v1/users/{user_id(DEMO_MANAGER)}/reactivate"): (403, 403, 403, 200),
}


def test_every_role_against_every_endpoint(hub) -> None:
    for (method, path), expected in ENDPOINTS.items():
        body = NEW_USER if method == "POST" else None
        for username, status in zip(ROLES, expected, strict=True):
            response = hub.request(method, path, token=hub.token(username), json=body)
            assert response.status_code == status, (username, method, path, response.text)
            if status == 403:
                assert response.json()["code"] == "admin_only"
        anonymous = hub.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path)


def test_reference_data_lists_the_bay(hub) -> None:
    token = hub.token(DEMO_GP)
    practices = hub.request("GET", "/api/v1/practices", token=token).json()
    specialties = hub.request("GET", "/api/v1/specialties", token=token).json()
    assert len(practices) == 47 and practices[0]["code"] == "BAY001"
    assert len(specialties) == 24 and {"330", "410", "812"} <= {s["tfc_code"] for s in specialties}


def test_admin_creates_a_user_who_can_sign_in(hub) -> None:
    admin = hub.token(DEMO_ADMIN)
    created = hub.request("POST", "/api/v1/users", token=admin, json=NEW_USER)
    assert created.status_code == 201
    assert created.json()["practice_code"] == "BAY002"
    again = hub.request("POST", "/api/v1/users", token=admin, json=NEW_USER)
    assert again.status_code == 409 and again.json()["code"] == "username_taken"
    assert hub.sign_in("new.gp", "a-good-long-password").status_code == 200


def test_admin_gets_readable_refusals_for_bad_users(hub) -> None:
    admin = hub.token(DEMO_ADMIN)
    cases = {
        "weak_password": {**NEW_USER, "password": "short"},
        "unknown_practice": {**NEW_USER, "practice_code": "XYZ999"},
        "invalid_user": {**NEW_USER, "role": "specialist", "practice_code": None},
        "unknown_specialty": {
            **NEW_USER,
            "role": "specialist",
            "practice_code": None,
            "specialty_codes": ["999"],
        },
        "invalid_username": {**NEW_USER, "username": "no spaces allowed"},
    }
    for code, body in cases.items():
        response = hub.request("POST", "/api/v1/users", token=admin, json=body)
        assert response.status_code == 422, (code, response.text)
        assert response.json()["code"] == code
        assert response.json()["detail"].endswith(".")


def _read(hub, username: str, conversation_id: str):
    token = hub.token(username)
    return hub.request("GET", f"/api/v1/conversations/{conversation_id}", token=token)


def test_conversation_reads_follow_practice_and_specialty(
    hub, add_conversation: Callable[..., str]
) -> None:
    own = add_conversation("BAY001", "330")  # demo GP's practice, demo specialist's specialty
    other_practice = add_conversation("BAY002", "330")
    other_specialty = add_conversation("BAY001", "320")
    elsewhere = add_conversation("BAY002", "320")
    visible = {
        DEMO_GP: {own, other_specialty},
        DEMO_MANAGER: {own, other_specialty},
        DEMO_SPECIALIST: {own, other_practice},
        DEMO_ADMIN: {own, other_practice, other_specialty, elsewhere},
    }
    nonexistent = _read(hub, DEMO_ADMIN, str(uuid.uuid4()))
    assert nonexistent.status_code == 404
    for username, allowed in visible.items():
        for conversation_id in (own, other_practice, other_specialty, elsewhere):
            response = _read(hub, username, conversation_id)
            if conversation_id in allowed:
                assert response.status_code == 200, (username, response.text)
                assert response.json()["id"] == conversation_id
                review = username == DEMO_MANAGER  # the minimum necessary: no messages
                assert response.json()["content"] == ("review" if review else "full")
                kinds = [m["kind"] for m in response.json()["messages"]]
                assert kinds == ([] if review else ["request"])
            else:
                assert response.status_code == 404, username
                assert response.content == nonexistent.content
                assert dict(response.headers).keys() == dict(nonexistent.headers).keys()


def test_not_an_id_gets_the_same_404(hub) -> None:
    missing = _read(hub, DEMO_GP, str(uuid.uuid4()))
    for junk in ("not-a-uuid", "1", "x" * 300, "%00"):
        response = _read(hub, DEMO_GP, junk)
        assert response.status_code == 404
        assert response.content == missing.content


def test_every_conversation_read_is_audited_without_patient_data(
    hub, hub_db: HubDatabase, add_conversation: Callable[..., str]
) -> None:
    mine, theirs = add_conversation("BAY001", "330"), add_conversation("BAY002", "320")
    _read(hub, DEMO_GP, mine)
    _read(hub, DEMO_GP, theirs)
    _read(hub, DEMO_GP, "not-a-uuid")
    with hub_db.transaction() as session:
        query = select(AuditEntry).where(AuditEntry.object_type == "conversation")
        entries = session.scalars(query.order_by(AuditEntry.id)).all()
    assert [(e.action, e.object_id, e.detail.get("reason")) for e in entries] == [
        ("conversation.read", mine, None),
        ("conversation.read_refused", theirs, "out_of_scope"),
        ("conversation.read_refused", "not-a-uuid", "not_found"),
    ]
    assert all(e.username == DEMO_GP and e.at is not None for e in entries)
    text = repr([(e.detail, e.object_id) for e in entries])
    assert "9434765919" not in text and "rash" not in text


def test_the_audit_log_refuses_updates_and_deletes(hub, hub_db: HubDatabase) -> None:
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    hub.token(DEMO_GP)
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), hub_db.transaction() as session:
            session.execute(text(statement))
    with hub_db.transaction() as session:
        assert session.scalar(text("SELECT count(*) FROM audit_log")) == 1
