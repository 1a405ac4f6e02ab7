"""A request passed to another specialty, desk to desk through the real hub: the
dermatologist's desk lets it go, the cardiologist's desk receives it, the GP's desk sees
where it went and why, and every desk agrees with the hub."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from bhcp_ag.domain.conversation import AdviceUseful, ClosingOutcome, Role, Status
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.services.conversation_actions import ActionRefused, ConversationActions
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.store.models import Conversation, RejectedChange
from tests.integration._client_helpers import (
    Desk,
    advise,
    assert_agree,
    live_hub,
    open_desk,
    submit,
)
from tests.integration.conftest import CARDIOLOGIST

__all__ = ["live_hub", "open_desk"]

NOTE = "Palpitations with a normal skin: passing this to cardiology."


def _person(desk: Desk, role: Role, practice: str | None, codes: tuple[str, ...]) -> CurrentUser:
    return CurrentUser(desk.user_id, desk.username, desk.username, role, practice, codes)


def test_a_request_passed_on_leaves_one_queue_and_reaches_the_other(
    hub_server: str,
    hub_db: HubDatabase,
    open_desk: Callable[..., Desk],
    more_users: tuple[str, str, str],
) -> None:
    gp, dermatologist = open_desk(hub_server, "demo.gp"), open_desk(hub_server, "demo.specialist")
    cardiologist = open_desk(hub_server, CARDIOLOGIST)
    conversation_id = submit(gp)
    gp.sync()
    dermatologist.sync()
    actions = ConversationActions(dermatologist.store, ResponseTargets.load())
    person = _person(dermatologist, Role.SPECIALIST, None, ("330",))
    assert actions.options(person, conversation_id).redirect.allowed

    actions.redirect(person, conversation_id, "320", NOTE)
    dermatologist.sync()

    with dermatologist.store.read_session() as session:
        assert session.get(Conversation, conversation_id) is None
        assert session.scalars(select(RejectedChange)).all() == []
    cardiologist.sync()
    with cardiologist.store.read_session() as session:
        moved = session.get(Conversation, conversation_id)
        assert moved is not None
        assert (moved.specialty_code, moved.form_specialty_code) == ("320", "330")
        assert moved.messages[-1].body == NOTE
    gp.sync()
    with gp.store.read_session() as session:
        seen = session.get(Conversation, conversation_id)
        assert seen is not None and seen.specialty_code == "320"
        note = seen.messages[-1]
        assert (note.kind, note.from_specialty_code, note.to_specialty_code) == (
            "redirect",
            "330",
            "320",
        )
    assert_agree(hub_db, gp, dermatologist, cardiologist)


def test_the_gp_closes_saying_whether_the_advice_helped(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp, specialist = open_desk(hub_server, "demo.gp"), open_desk(hub_server, "demo.specialist")
    conversation_id = submit(gp)
    gp.sync()
    specialist.sync()
    advise(specialist, conversation_id)
    specialist.sync()
    gp.sync()
    actions = ConversationActions(gp.store, ResponseTargets.load())
    person = _person(gp, Role.GP, "BAY001", ())
    outcome = ClosingOutcome.MANAGED_IN_PRIMARY_CARE
    with pytest.raises(ActionRefused, match="whether the advice was useful"):
        actions.close(person, conversation_id, outcome)

    actions.close(person, conversation_id, outcome, AdviceUseful.YES, "Thank you: clear.")
    gp.sync()
    specialist.sync()

    with specialist.store.read_session() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        assert (conv.status, conv.advice_useful) == (Status.CLOSED.value, "yes")
        assert conv.messages[-1].body == "Thank you: clear."
    assert_agree(hub_db, gp, specialist)
