"""Passing a request to another specialty, and the GP's verdict on closing, through the
real hub on loopback (SQLite and PostgreSQL).

A redirect moves the request into the new specialty's queue with a note both sides read,
lets the claim go, and starts the new specialty's response target from the redirect;
the desks of the specialty it left are told it is gone. Closing records whether the
advice was useful and the GP's note.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from bhcp_ag.domain import clock
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.demo_users import DEMO_GP, DEMO_SPECIALIST
from tests.integration.conftest import CARDIOLOGIST, SECOND_DERMATOLOGIST, HubClock, Sync

REDIRECTED_AT = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # a Friday morning
NOTE = "This is palpitations, not a skin problem: cardiology should see it."


def _sent(sync: Sync) -> str:
    request = sync.request()
    [result] = sync.push(DEMO_GP, request)
    assert result["status"] == "applied", result
    return str(request["conversation_id"])


def _advice(sync: Sync, conversation_id: str) -> dict[str, Any]:
    return sync.change(
        "respond",
        conversation_id,
        message_id=str(uuid.uuid4()),
        outcome="RETURN_TO_REFERRER_WITH_ADVICE",
        recommendation="ADVICE_ONLY_NO_REFERRAL_RECOMMENDED",
        body="Emollients and a mild steroid for two weeks.",
    )


def _redirect(sync: Sync, who: str, conversation_id: str, **payload: Any) -> dict[str, Any]:
    fields = {"message_id": str(uuid.uuid4()), "specialty_code": "320", "note": NOTE, **payload}
    [result] = sync.push(who, sync.change("redirect", conversation_id, **fields))
    return result


def test_a_redirected_request_moves_to_the_new_specialty_with_its_note_and_clock(
    sync: Sync, more_users: tuple[str, str, str], hub_clock: HubClock
) -> None:
    conversation_id = _sent(sync)
    _, derm_cursor = sync.pull(DEMO_SPECIALIST)
    [claimed] = sync.push(DEMO_SPECIALIST, sync.change("claim", conversation_id))
    assert claimed["status"] == "applied"
    hub_clock.set(REDIRECTED_AT)

    result = _redirect(sync, DEMO_SPECIALIST, conversation_id)

    assert result["status"] == "applied", result
    assert result["conversation"] is None  # no longer the dermatologist's to see
    cardiology, _ = sync.pull(CARDIOLOGIST)
    moved = cardiology[conversation_id]
    assert (moved["specialty_code"], moved["form_specialty_code"]) == ("320", "330")
    assert (moved["status"], moved["claimed_by_id"]) == ("awaiting_specialist", None)
    days = ResponseTargets.load().working_days("320", "ROUTINE")
    assert moved["due_at"] == clock.due_at(REDIRECTED_AT, days).isoformat().replace("+00:00", "Z")
    assert moved["first_due_at"] != moved["due_at"]  # the first target stays, for the reports
    note = moved["messages"][-1]
    assert (note["kind"], note["body"]) == ("redirect", NOTE)
    assert (note["from_specialty_code"], note["to_specialty_code"]) == ("330", "320")

    page = sync.pull_page(DEMO_SPECIALIST, derm_cursor)
    assert page["gone"] == [conversation_id]
    assert conversation_id not in {c["id"] for c in page["conversations"]}
    assert sync.pull_page(SECOND_DERMATOLOGIST)["gone"] == [conversation_id]
    gp_view, _ = sync.pull(DEMO_GP)
    assert gp_view[conversation_id]["specialty_code"] == "320"
    assert gp_view[conversation_id]["messages"][-1]["body"] == NOTE

    [claim] = sync.push(CARDIOLOGIST, sync.change("claim", conversation_id))
    assert claim["status"] == "applied"
    [refused] = sync.push(DEMO_SPECIALIST, sync.change("claim", conversation_id))
    assert refused["code"] == "conversation_not_found"


def test_a_redirect_is_refused_with_the_reason_and_changes_nothing(
    sync: Sync, more_users: tuple[str, str, str]
) -> None:
    conversation_id = _sent(sync)
    refusals = {
        "same specialty": _redirect(sync, DEMO_SPECIALIST, conversation_id, specialty_code="330"),
        "unknown specialty": _redirect(
            sync, DEMO_SPECIALIST, conversation_id, specialty_code="999"
        ),
        "empty note": _redirect(sync, DEMO_SPECIALIST, conversation_id, note="   "),
        "a GP": _redirect(sync, DEMO_GP, conversation_id),
        "another specialty": _redirect(sync, CARDIOLOGIST, conversation_id),
    }
    codes = {why: result.get("code") for why, result in refusals.items()}
    assert codes == {
        "same specialty": "transition_refused",
        "unknown specialty": "transition_refused",
        "empty note": "invalid_payload",
        "a GP": "forbidden",
        "another specialty": "conversation_not_found",
    }
    assert "already with this specialty" in refusals["same specialty"]["reason"]

    sync.push(SECOND_DERMATOLOGIST, sync.change("claim", conversation_id))
    claimed = _redirect(sync, DEMO_SPECIALIST, conversation_id)
    assert claimed["code"] == "already_claimed" and "Dr Priya Patel" in claimed["reason"]
    sync.push(SECOND_DERMATOLOGIST, _advice(sync, conversation_id))
    answered = _redirect(sync, SECOND_DERMATOLOGIST, conversation_id)
    assert answered["code"] == "transition_refused"
    assert "only a request waiting for a specialist" in answered["reason"]
    snapshot = answered["conversation"]
    assert snapshot["specialty_code"] == "330" and snapshot["form_specialty_code"] is None
    assert [m["kind"] for m in snapshot["messages"]] == ["request", "advice"]


def test_closing_records_whether_the_advice_was_useful_and_the_gps_note(
    sync: Sync, more_users: tuple[str, str, str]
) -> None:
    conversation_id = _sent(sync)
    sync.push(DEMO_SPECIALIST, _advice(sync, conversation_id))
    bad = sync.change("close", conversation_id, closing_outcome="referred", advice_useful="very")
    [refused] = sync.push(DEMO_GP, bad)
    assert refused["code"] == "invalid_payload" and "advice_useful" in refused["reason"]

    note = "Settled on the steroid; thank you, a clear plan."
    close = sync.change(
        "close",
        conversation_id,
        closing_outcome="managed_in_primary_care",
        advice_useful="partly",
        note=note,
    )
    [closed] = sync.push(DEMO_GP, close)

    assert closed["status"] == "applied", closed
    snapshot = closed["conversation"]
    assert (snapshot["status"], snapshot["advice_useful"]) == ("closed", "partly")
    assert snapshot["referral_avoided"] is True
    seen, _ = sync.pull(DEMO_SPECIALIST)
    last = seen[conversation_id]["messages"][-1]
    assert (last["kind"], last["body"], last["author_role"]) == ("closing", note, "gp")
