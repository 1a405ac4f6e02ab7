"""Fixtures of the services' tests: the demo users' workspaces on one clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import update

from bhcp_ag.domain.conversation import Status
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.workspace import Workspace, load_user
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation, OutboxChange
from tests.services.test_requests import FORM, NOW


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def workspace_of(store: Store, username: str, clock: Clock) -> Workspace:
    user = load_user(store, username)
    return Workspace.for_user(store, user, SpecialtyCatalogue.load(), ResponseTargets.load(), clock)


@pytest.fixture
def gp(seeded_store: Store, clock: Clock) -> Workspace:
    return workspace_of(seeded_store, "demo.gp", clock)


@pytest.fixture
def specialist(seeded_store: Store, clock: Clock) -> Workspace:
    return workspace_of(seeded_store, "demo.specialist", clock)


@pytest.fixture
def manager(seeded_store: Store, clock: Clock) -> Workspace:
    return workspace_of(seeded_store, "demo.manager", clock)


def accepted(gp: Workspace, **form_changes: object) -> str:
    """A request the hub has put in the specialty's queue."""
    sent = gp.requests.submit(gp.user.id, replace(FORM, **form_changes))
    with gp.store.session() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.id == sent.conversation_id)
            .values(status=Status.AWAITING_SPECIALIST.value)
        )
        session.execute(update(OutboxChange).values(state="applied"))
    return sent.conversation_id
