"""Push at the protocol level, over HTTP to the real hub, on SQLite and PostgreSQL.

The round trip with every state and clock field (the hub's clock frozen, so due times are
exact), at-most-once delivery, rejections that do not block, two specialists claiming at
once, a response lost after the hub committed, and the response clock over a weekend.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from bhcp_ag import __version__
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST, user_id
from bhcp_ag.hub.models import AppliedChange, Conversation, FeedEntry, Message

FRIDAY_5PM = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # GMT: London time is UTC
GP_ID, SPECIALIST_ID = user_id(DEMO_GP), user_id(DEMO_SPECIALIST)
CLOCK_FIELDS = (
    "status",
    "submitted_at",
    "due_at",
    "first_response_at",
    "closed_at",
    "claimed_by_id",
    "claimed_at",
    "specialist_outcome",
    "recommendation",
    "closing_outcome",
    "referral_avoided",
)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _applied(results: list[dict[str, Any]]) -> dict[str, Any]:
    [result] = results
    assert (result["status"], result["code"], result["reason"]) == ("applied", None, None), result
    snapshot: dict[str, Any] = result["conversation"]
    return snapshot


def _rejected(result: dict[str, Any], code: str) -> dict[str, Any]:
    assert (result["status"], result["code"]) == ("rejected", code), result
    assert isinstance(result["reason"], str) and len(result["reason"]) > 10
    return result


def _clock_fields(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {name: snapshot[name] for name in CLOCK_FIELDS}


def _count(database: HubDatabase, model: type, *where: Any) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


SUBMITTED = {
    "status": "awaiting_specialist",
    "submitted_at": _iso(FRIDAY_5PM),
    "due_at": _iso(_at(24, 17)),  # two working days after Friday 17:00: Tuesday 17:00
    "first_response_at": None,
    "closed_at": None,
    "claimed_by_id": None,
    "claimed_at": None,
    "specialist_outcome": None,
    "recommendation": None,
    "closing_outcome": None,
    "referral_avoided": False,
}


def _story(sync, cid: str) -> list[tuple[datetime, str, dict[str, Any], dict[str, Any]]]:
    """(when, who, their change, what it changes) after the GP sends the request."""
    question, advice = "REQUIRE_FURTHER_INFORMATION", "RETURN_TO_REFERRER_WITH_ADVICE"
    no_referral = "ADVICE_ONLY_NO_REFERRAL_RECOMMENDED"
    ask = {"message_id": _uuid(1), "outcome": question, "body": "Any nail changes?"}
    answer = {"message_id": _uuid(3), "outcome": advice, "recommendation": no_referral}
    return [
        (_at(23, 9), DEMO_SPECIALIST, sync.change("claim", cid),
         {"claimed_by_id": SPECIALIST_ID, "claimed_at": _iso(_at(23, 9))}),
        (_at(23, 10), DEMO_SPECIALIST, sync.change("respond", cid, **ask),
         {"status": "more_info_requested", "first_response_at": _iso(_at(23, 10)),
          "specialist_outcome": question}),
        # The reply restarts the clock: Monday 14:00 + two working days = Wednesday 14:00.
        (_at(23, 14), DEMO_GP, sync.change("reply", cid, message_id=_uuid(2), body="None."),
         {"status": "awaiting_specialist", "due_at": _iso(_at(25, 14))}),
        (_at(24, 11), DEMO_SPECIALIST, sync.change("respond", cid, **answer, body="Eczema."),
         {"status": "advice_returned", "specialist_outcome": advice,
          "recommendation": no_referral}),  # the first response stays Monday 10:00
        (_at(24, 15, 30), DEMO_GP,
         sync.change("close", cid, closing_outcome="managed_in_primary_care"),
         {"status": "closed", "closed_at": _iso(_at(24, 15, 30)),
          "closing_outcome": "managed_in_primary_care", "referral_avoided": True}),
    ]  # fmt: skip


def test_round_trip_with_every_state_and_clock_field(sync, hub_clock) -> None:
    hub_clock.set(FRIDAY_5PM)
    request = sync.request()
    cid = request["conversation_id"]
    sent = _applied(sync.push(DEMO_GP, request))
    expected = dict(SUBMITTED)
    assert _clock_fields(sent) == expected
    assert (sent["requester_id"], sent["patient_nhs_number"]) == (GP_ID, "9434765919")
    cursors = {DEMO_GP: "", DEMO_SPECIALIST: ""}
    for moment, username, change, changes in _story(sync, cid):
        hub_clock.set(moment)
        pulled, cursors[username] = sync.pull(username, cursors[username])
        assert _clock_fields(pulled[cid]) == expected  # as the other side left it
        expected.update(changes)
        assert _clock_fields(_applied(sync.push(username, change))) == expected
    for username in (DEMO_GP, DEMO_SPECIALIST):
        final = sync.pull(username, cursors[username])[0][cid]
        assert _clock_fields(final) == expected
        assert final["version"] == 6  # submit, claim, question, reply, advice, close
        assert [(m["kind"], m["author_id"], m["created_at"]) for m in final["messages"]] == [
            ("request", GP_ID, _iso(FRIDAY_5PM)),
            ("question", SPECIALIST_ID, _iso(_at(23, 10))),
            ("reply", GP_ID, _iso(_at(23, 14))),
            ("advice", SPECIALIST_ID, _iso(_at(24, 11))),
        ]


def _uuid(n: int) -> str:
    return f"6a1d7c1e-0f5b-4e0a-9d55-5b1f6c0a{n:04d}"


def test_the_response_clock_skips_weekends_and_bank_holidays(sync, hub_clock) -> None:
    hub_clock.set(FRIDAY_5PM)
    routine, urgent = sync.request(), sync.request(priority="URGENT")
    results = sync.push(DEMO_GP, routine, urgent)
    assert [r["conversation"]["due_at"] for r in results] == [
        _iso(_at(24, 17)),  # routine, two working days: Tuesday 17:00
        _iso(_at(23, 17)),  # urgent, one working day: Monday 17:00
    ]
    hub_clock.set(datetime(2026, 12, 24, 17, 0, tzinfo=UTC))  # Christmas Eve, a Thursday
    [result] = sync.push(DEMO_GP, sync.request())
    # Christmas Day and the substitute Boxing Day holiday (Monday 28th) do not count.
    assert result["conversation"]["due_at"] == "2026-12-30T17:00:00Z"


def test_the_same_push_twice_applies_each_change_once(sync, hub_db: HubDatabase) -> None:
    request = sync.request()
    conversation_id = request["conversation_id"]
    too_early = sync.change("reply", conversation_id, message_id=_uuid(9), body="Here it is.")
    first = sync.push(DEMO_GP, request, too_early)
    again = sync.push(DEMO_GP, request, too_early)
    assert again == first
    _rejected(first[1], "transition_refused")
    assert _count(hub_db, Conversation, Conversation.id == conversation_id) == 1
    assert _count(hub_db, Message, Message.conversation_id == conversation_id) == 1
    assert _count(hub_db, FeedEntry, FeedEntry.conversation_id == conversation_id) == 1
    assert _count(hub_db, AppliedChange, AppliedChange.conversation_id == conversation_id) == 2

    # Once the reply would be allowed, the rejected change pushed again stays rejected.
    ask = sync.change(
        "respond",
        conversation_id,
        message_id=_uuid(8),
        outcome="REQUIRE_FURTHER_INFORMATION",
        body="How long has it itched?",
    )
    _applied(sync.push(DEMO_SPECIALIST, ask))
    [replayed] = sync.push(DEMO_GP, too_early)
    assert {k: replayed[k] for k in ("status", "code", "reason")} == {
        k: first[1][k] for k in ("status", "code", "reason")
    }
    assert replayed["conversation"]["status"] == "more_info_requested"  # as it is now
    assert _count(hub_db, Message, Message.conversation_id == conversation_id) == 2


def test_a_rejection_in_the_middle_of_a_batch_does_not_block_the_rest(sync) -> None:
    first, second = sync.request(), sync.request()
    results = sync.push(
        DEMO_GP,
        first,
        sync.change("close", first["conversation_id"], closing_outcome="referred"),
        sync.change("close", first["conversation_id"], closing_outcome="no such outcome"),
        second,
        sync.change("cancel", second["conversation_id"], reason="Seen in clinic already."),
    )
    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "rejected",
        "applied",
        "applied",
    ]
    _rejected(results[1], "transition_refused")
    assert "cannot become 'Closed'" in results[1]["reason"]
    _rejected(results[2], "invalid_payload")
    assert "closing_outcome" in results[2]["reason"]
    assert results[1]["conversation"]["status"] == "awaiting_specialist"
    cancelled = results[4]["conversation"]
    assert (cancelled["status"], cancelled["referral_avoided"]) == ("cancelled", False)
    assert cancelled["closed_at"] is not None
    assert cancelled["messages"][-1]["kind"] == "note"


def _race(sync, claimants: tuple[str, ...], conversation_id: str) -> dict[str, dict[str, Any]]:
    """Each claimant pushes a claim of the conversation at the same moment, in a thread."""
    barrier = threading.Barrier(len(claimants))
    results: dict[str, dict[str, Any]] = {}

    def claim(username: str) -> None:
        change = sync.change("claim", conversation_id)
        barrier.wait(timeout=10)
        [results[username]] = sync.push(username, change)

    threads = [threading.Thread(target=claim, args=(name,)) for name in claimants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_specialists_claiming_at_once_exactly_one_wins(sync, more_users) -> None:
    _, rival, _ = more_users
    requests_ = [sync.request() for _ in range(4)]
    sync.push(DEMO_GP, *requests_)
    claimants = (DEMO_SPECIALIST, rival)
    for username in claimants:
        sync.hub.token(username)  # sign in first, so the claims race each other only
    for request in requests_:
        results = _race(sync, claimants, request["conversation_id"])
        statuses = sorted(result["status"] for result in results.values())
        assert statuses == ["applied", "rejected"], results
        [winner] = [name for name, result in results.items() if result["status"] == "applied"]
        [loser] = [name for name in claimants if name != winner]
        lost = _rejected(results[loser], "already_claimed")
        assert lost["conversation"]["claimed_by_id"] == user_id(winner)
        winner_name = "Dr Rohan Mehta" if winner == DEMO_SPECIALIST else "Dr Priya Patel"
        assert lost["reason"].startswith(f"{winner_name} claimed this request at ")


def _send_and_hang_up(base_url: str, token: str, changes: list[dict[str, Any]]) -> None:
    """POST a push and close the connection without reading the answer (a lost response)."""
    address = urlsplit(base_url)
    body = json.dumps({"changes": changes}).encode()
    head = (
        f"POST /api/v1/sync/push HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"Authorization: Bearer {token}\r\nX-BHCP-Client-Version: {__version__}\r\n"
        f"X-BHCP-Schema: 1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(head + body)
        connection.shutdown(socket.SHUT_WR)


def test_a_response_lost_after_the_hub_committed(sync, hub_db: HubDatabase) -> None:
    request = sync.request()
    claim = sync.change("claim", request["conversation_id"])
    sync.push(DEMO_GP, request)
    _send_and_hang_up(sync.hub.base_url, sync.hub.token(DEMO_SPECIALIST), [claim])
    committed = threading.Event()
    deadline = time.monotonic() + 30
    while not committed.wait(0.02):  # a condition poll: the hub finishes on its own time
        if _count(hub_db, AppliedChange, AppliedChange.change_id == claim["id"]):
            committed.set()
        assert time.monotonic() < deadline, "the hub never applied the hung-up push"
    [result] = sync.push(DEMO_SPECIALIST, claim)  # the client never saw the answer: again
    assert result["status"] == "applied"
    assert result["conversation"]["claimed_by_id"] == SPECIALIST_ID
    assert result["conversation"]["version"] == 2
    cid = request["conversation_id"]
    assert _count(hub_db, FeedEntry, FeedEntry.conversation_id == cid) == 2


# Which kinds each role may push against a conversation in its scope; all else: forbidden.
MAY = {
    DEMO_GP: {"submit", "reply", "close", "cancel"},
    DEMO_SPECIALIST: {"claim", "release", "respond"},
    DEMO_MANAGER: set(),
    DEMO_ADMIN: {"release", "cancel"},
}
KINDS = ("submit", "claim", "release", "respond", "reply", "close", "cancel")


def _setup(sync, kind: str, conversation_id: str) -> list[dict[str, Any]]:
    """The specialist's changes that bring a new request to the state ``kind`` needs."""
    if kind == "release":
        return [sync.change("claim", conversation_id)]
    outcome = {"reply": "REQUIRE_FURTHER_INFORMATION", "close": "RETURN_TO_REFERRER_WITH_ADVICE"}
    if kind not in outcome:
        return []
    extra = {"recommendation": "OTHER"} if kind == "close" else {}
    return [
        sync.change(
            "respond",
            conversation_id,
            message_id=str(uuid.uuid4()),
            outcome=outcome[kind],
            body="Please see the attached guidance.",
            **extra,
        )
    ]


def _attempt(sync, kind: str, conversation_id: str) -> dict[str, Any]:
    if kind == "submit":
        return sync.request()
    payloads: dict[str, dict[str, Any]] = {
        "respond": {
            "message_id": str(uuid.uuid4()),
            "outcome": "REQUIRE_FURTHER_INFORMATION",
            "body": "Is there a family history?",
        },
        "reply": {"message_id": str(uuid.uuid4()), "body": "None known."},
        "close": {"closing_outcome": "awaiting_tests"},
        "cancel": {"reason": ""},
    }
    return sync.change(kind, conversation_id, **payloads.get(kind, {}))


def _prepare(sync, cases: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A request in the right state for each (username, kind): their conversation ids."""
    requests_ = {case: sync.request() for case in cases if case[1] != "submit"}
    sync.push(DEMO_GP, *requests_.values())
    setup = [
        change
        for (_, kind), request in requests_.items()
        for change in _setup(sync, kind, request["conversation_id"])
    ]
    assert all(r["status"] == "applied" for r in sync.push(DEMO_SPECIALIST, *setup))
    return {case: request["conversation_id"] for case, request in requests_.items()}


def test_every_kind_by_every_role(sync) -> None:
    cases = [(username, kind) for username in MAY for kind in KINDS]
    targets = _prepare(sync, cases)
    for username, allowed in MAY.items():
        changes = [_attempt(sync, kind, targets.get((username, kind), "")) for kind in KINDS]
        changes[0] = sync.request()  # submit: a new conversation
        results = sync.push(username, *changes)
        for kind, result in zip(KINDS, results, strict=True):
            if kind in allowed:
                assert result["status"] == "applied", (username, kind, result)
                continue
            _rejected(result, "forbidden")
            if kind != "submit":  # they may see it, so they get its state to undo theirs
                assert result["conversation"]["id"] == targets[(username, kind)]
    manager = sync.push(DEMO_MANAGER, sync.request())[0]
    assert manager["reason"] == "Practice managers can read conversations but not change them."


def test_another_practice_or_specialty_gets_not_found(sync, more_users) -> None:
    other_gp, _, cardiologist = more_users
    cases = [(username, kind) for username in (other_gp, cardiologist) for kind in KINDS[1:]]
    targets = _prepare(sync, cases)
    for username in (other_gp, cardiologist):
        changes = [_attempt(sync, kind, targets[(username, kind)]) for kind in KINDS[1:]]
        for result in sync.push(username, *changes):
            _rejected(result, "conversation_not_found")
            assert result["conversation"] is None  # nothing of it is revealed
    [elsewhere] = sync.push(DEMO_GP, sync.request(practice_code="BAY002"))
    assert _rejected(elsewhere, "forbidden")["conversation"] is None
    [theirs] = sync.push(other_gp, sync.request(practice_code="BAY002", specialty_code="320"))
    assert theirs["status"] == "applied"
    [not_mine] = sync.push(DEMO_SPECIALIST, sync.change("claim", theirs["conversation"]["id"]))
    _rejected(not_mine, "conversation_not_found")
    [mine] = sync.push(cardiologist, sync.change("claim", theirs["conversation"]["id"]))
    assert mine["status"] == "applied"


def test_a_malformed_push_fails_whole_and_a_bad_change_alone(sync) -> None:
    change = sync.change("claim", str(uuid.uuid4()))
    for body in (
        {"changes": [change] * 101},
        {"changes": [{**change, "id": "not a uuid"}]},
        {"changes": [{**change, "payload": ["not", "an", "object"]}]},
        {"changes": [change], "extra": 1},
    ):
        response = sync.hub.request(
            "POST", "/api/v1/sync/push", token=sync.hub.token(DEMO_GP), json=body
        )
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    unknown = {**sync.change("claim", str(uuid.uuid4())), "kind": "conversation.delete"}
    bad = sync.change("reply", str(uuid.uuid4()), message_id="x", body="")
    results = sync.push(DEMO_GP, unknown, bad, sync.request())
    assert [r["code"] for r in results] == ["unknown_kind", "invalid_payload", None]
