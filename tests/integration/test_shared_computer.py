"""Two clinicians on one computer: each one's queued changes go to the hub as theirs.

The hub takes a change's author from the token that pushes it. A dermatologist who
claims and advises offline and signs out leaves those changes queued; a colleague who
signs in next on the same computer must not push them (the hub would record the
colleague as the author of advice they never wrote). They wait for their author.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bhcp_ag.hub import models as hub_models
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.store.reference import user_id
from bhcp_ag.store.sync_state import changes_waiting
from bhcp_ag.sync.report import SyncState
from tests.integration._client_helpers import Desk, advise, claim, open_desk, submit
from tests.integration.conftest import SECOND_DERMATOLOGIST

__all__ = ["open_desk"]  # the fixture, used here by name


def _at_hub(hub_db: HubDatabase, conversation_id: str) -> tuple[str | None, list[str]]:
    """Who has claimed the conversation at the hub, and who wrote its advice."""
    with hub_db.transaction() as session:
        conv = session.get(hub_models.Conversation, conversation_id)
        assert conv is not None
        authors = session.scalars(
            select(hub_models.Message.author_id).where(
                hub_models.Message.conversation_id == conversation_id,
                hub_models.Message.kind == "advice",
            )
        ).all()
        return conv.claimed_by_id, list(authors)


def _switch(desk: Desk, username: str) -> None:
    desk.engine.sign_out()
    desk.engine.sign_in(username, DEMO_PASSWORD)


def test_queued_advice_waits_for_its_author_to_sign_in_again(
    hub_server: str,
    hub_db: HubDatabase,
    more_users: tuple[str, str, str],
    open_desk: Callable[..., Desk],
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    conversation_id = submit(gp)
    gp.sync()
    clinic = open_desk(hub_server, "demo.specialist")  # the clinic's shared computer
    clinic.sync()
    claim(clinic, conversation_id)
    advise(clinic, conversation_id, "Emollients; review in six weeks.")

    _switch(clinic, SECOND_DERMATOLOGIST)  # advice queued, not yet sent
    report = clinic.sync()
    assert report.state is SyncState.SYNCED and report.pushed == 0
    assert clinic.engine.status().changes_waiting == 0  # the colleague has nothing queued
    with clinic.store.read_session() as session:
        assert changes_waiting(session) == 2  # the claim and the advice wait
    assert _at_hub(hub_db, conversation_id) == (None, [])

    _switch(clinic, "demo.specialist")
    report = clinic.sync()
    assert report.pushed == 2 and report.rejected == 0
    specialist = user_id("demo.specialist")
    assert _at_hub(hub_db, conversation_id) == (specialist, [specialist])
