"""The reports' facts, fixed by the hub when they happen and pulled into the desks' stores.

``first_due_at`` (the due time at submission, which a reply does not move),
``response_working_days`` (submission to first response on the response clock, set once)
and ``patient_age_band`` (at submission), on SQLite and PostgreSQL, with the hub's clock
frozen so the values are exact. The desks set provisional values that the hub's snapshot
then replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bhcp_ag.domain import clock
from bhcp_ag.domain.conversation import Role, SpecialistOutcome
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_GP, DEMO_SPECIALIST
from bhcp_ag.hub.models import Conversation as HubConversation
from bhcp_ag.services.conversation_actions import ConversationActions
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.models import Conversation
from tests.integration._client_helpers import FORM, Desk, open_desk

__all__ = ["open_desk"]  # the fixture, used here by name

FRIDAY_5PM = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # GMT: London time is UTC
FACTS = ("first_due_at", "response_working_days", "patient_age_band", "due_at")
ONE_THIRD = (1.5 + 2) / 10.5  # Friday 17:00-18:30 and Monday 08:00-10:00, in working days


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _facts(snapshot: dict[str, Any]) -> tuple[Any, ...]:
    [result] = snapshot
    assert result["status"] == "applied", result
    return tuple(result["conversation"][name] for name in FACTS)


def test_the_hub_fixes_the_facts_when_they_happen(sync, hub_clock, hub_db: HubDatabase) -> None:
    hub_clock.set(FRIDAY_5PM)
    request = sync.request()  # born 14 May 1961: 65 on the day it is sent
    cid = request["conversation_id"]
    tuesday_5pm = _iso(_at(24, 17))
    assert _facts(sync.push(DEMO_GP, request)) == (tuesday_5pm, None, "65-79", tuesday_5pm)

    hub_clock.set(_at(23, 10))
    ask = sync.change(
        "respond", cid, message_id=_uuid(1), outcome="REQUIRE_FURTHER_INFORMATION", body="Nails?"
    )
    answered = _facts(sync.push(DEMO_SPECIALIST, ask))
    assert answered == (tuesday_5pm, ONE_THIRD, "65-79", tuesday_5pm)

    # The reply restarts the clock (Wednesday 14:00); the first due time stays.
    hub_clock.set(_at(23, 14))
    reply = sync.change("reply", cid, message_id=_uuid(2), body="None.")
    assert _facts(sync.push(DEMO_GP, reply)) == (tuesday_5pm, ONE_THIRD, "65-79", _iso(_at(25, 14)))

    # A later response is not the first: the working days stay as they were.
    hub_clock.set(_at(26, 11))
    advice = sync.change(
        "respond",
        cid,
        message_id=_uuid(3),
        outcome="RETURN_TO_REFERRER_WITH_ADVICE",
        recommendation="ADVICE_ONLY_NO_REFERRAL_RECOMMENDED",
        body="Eczema.",
    )
    final = _facts(sync.push(DEMO_SPECIALIST, advice))
    assert final == (tuesday_5pm, ONE_THIRD, "65-79", _iso(_at(25, 14)))

    with hub_db.transaction() as session:
        stored = session.get(HubConversation, cid)
        assert stored is not None
        assert (stored.first_due_at, stored.response_working_days, stored.patient_age_band) == (
            _at(24, 17),
            ONE_THIRD,
            "65-79",
        )
    pulled = sync.pull(DEMO_GP)[0][cid]
    assert tuple(pulled[name] for name in FACTS) == final
    assert pulled["first_response_at"] <= pulled["first_due_at"]  # within target: ISO text


def _uuid(n: int) -> str:
    return f"7b2e8d2f-1a6c-4f1b-8e66-6c2a7d1b{n:04d}"


def _local(desk: Desk, conversation_id: str) -> tuple[Any, ...]:
    with desk.store.read_session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        return tuple(getattr(conv, name) for name in FACTS)


def test_the_desks_set_provisional_facts_and_pull_the_hubs(
    hub_server: str, hub_clock, open_desk: Callable[..., Desk]
) -> None:
    hub_clock.set(FRIDAY_5PM)
    gp, specialist = open_desk(hub_server, "demo.gp"), open_desk(hub_server, "demo.specialist")
    targets = ResponseTargets.load()

    # The GP's desk clock is two minutes behind the hub's.
    gp_requests = AdviceRequests(
        gp.store, SpecialtyCatalogue.load(), targets, now=lambda: _at(20, 16, 58)
    )
    cid = gp_requests.submit(gp.user_id, FORM).conversation_id
    provisional_due = _at(24, 16, 58)
    assert _local(gp, cid) == (provisional_due, None, "65-79", provisional_due)
    gp.sync()
    assert _local(gp, cid) == (_at(24, 17), None, "65-79", _at(24, 17))

    # The specialist's desk clock is two minutes behind too; the hub answers at 10:00.
    hub_clock.set(_at(23, 10))
    specialist.sync()
    assert _local(specialist, cid) == (_at(24, 17), None, "65-79", _at(24, 17))
    actions = ConversationActions(specialist.store, targets, now=lambda: _at(23, 9, 58))
    user = CurrentUser(specialist.user_id, DEMO_SPECIALIST, "Dr", Role.SPECIALIST, None, ("330",))
    actions.respond(user, cid, SpecialistOutcome.REQUIRE_FURTHER_INFORMATION, "Nails?")
    provisional = clock.working_days_between(FRIDAY_5PM, _at(23, 9, 58))
    assert _local(specialist, cid) == (_at(24, 17), provisional, "65-79", _at(24, 17))

    specialist.sync()
    gp.sync()
    for desk in (specialist, gp):
        assert _local(desk, cid) == (_at(24, 17), ONE_THIRD, "65-79", _at(24, 17))
