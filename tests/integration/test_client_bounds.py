"""A change the hub will never take does not block a desk's outbox: real desks against
the real hub on loopback, on SQLite and PostgreSQL (issue 11, items 2 and 3).

A change the hub finds out of bounds (a lone surrogate, a number of 400 digits, 300,000
choices) is a final rejection: the request becomes a draft again with its words, and
the changes behind it go. A push too large for the hub's body limit is sent again in
halves; one change too large on its own is refused locally with the hub's reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bhcp_ag.hub import models as hub_models
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.settings import HubSettings
from bhcp_ag.store.models import Conversation, OutboxChange
from tests.integration._client_helpers import (
    FORM,
    Desk,
    RestartableHub,
    assert_agree,
    live_hub,
    open_desk,
    submit,
)

__all__ = ["live_hub", "open_desk"]  # the fixtures, used here by name

SPOILED = [  # what a desk's outbox might hold, written into the request's JSON text
    '"lesion_site": "arm \\ud83d"',
    '"lesion_site": "Left upper back", "duration": 1' + "0" * 400,
    '"lesion_site": "Left upper back", "changes": [' + ", ".join(['"None"'] * 300_000) + "]",
]


def _spoil(desk: Desk, conversation_id: str, replacement: str) -> None:
    with desk.store.session() as session:
        change = session.scalars(
            select(OutboxChange).where(OutboxChange.conversation_id == conversation_id)
        ).one()
        original = '"lesion_site": "Left upper back"'
        assert original in change.payload
        change.payload = change.payload.replace(original, replacement)


def _hub_conversations(hub_db: HubDatabase) -> int:
    with hub_db.transaction() as session:
        return session.scalar(select(func.count()).select_from(hub_models.Conversation)) or 0


@pytest.mark.parametrize("replacement", SPOILED, ids=["surrogate", "400 digits", "300,000"])
def test_a_request_out_of_bounds_is_refused_and_the_outbox_goes_on(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk], replacement: str
) -> None:
    gp = open_desk(hub_server, "demo.gp")
    spoiled, fine = submit(gp), submit(gp)
    _spoil(gp, spoiled, replacement)
    report = gp.sync()
    [rejection] = report.rejections
    assert (rejection.code, rejection.back_to_draft, rejection.kept_text) == (
        "invalid_payload",
        True,
        True,
    )
    assert "template_answers" in rejection.reason
    assert report.applied == 1
    with gp.store.read_session() as session:
        draft, sent = session.get(Conversation, spoiled), session.get(Conversation, fine)
        assert draft is not None and sent is not None
        assert (draft.status, draft.question) == ("draft", FORM.question)
        assert sent.status == "awaiting_specialist"
    assert gp.sync().rejected == 0  # nothing left to refuse: the outbox moved on
    assert_agree(hub_db, gp)


@pytest.fixture
def small_hub(hub_settings: HubSettings) -> Iterator[RestartableHub]:
    """The real hub taking request bodies of at most 64 KiB."""
    hub = RestartableHub(replace(hub_settings, max_request_bytes=64 * 1024))
    hub.start()
    yield hub
    hub.stop()


def test_a_push_too_large_for_the_hub_goes_in_parts_and_a_change_too_large_alone_is_refused(
    small_hub: RestartableHub, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    gp = open_desk(small_hub.url, "demo.gp")
    summary = "é" * 5000  # 30 KB as JSON (each é is sent as \\u00e9): four are over 64 KiB
    ordinary = [submit(gp, clinical_summary=summary) for _ in range(4)]
    huge = submit(gp, question="é" * 7000, clinical_summary="é" * 7000)  # about 84 KB
    last = submit(gp)
    report = gp.sync()
    [rejection] = report.rejections
    assert (rejection.code, rejection.back_to_draft) == ("request_too_large", True)
    assert "larger than this hub takes" in rejection.reason
    assert report.applied == 5
    with gp.store.read_session() as session:
        states = {cid: session.get(Conversation, cid).status for cid in [*ordinary, huge, last]}  # type: ignore[union-attr]
    assert states[huge] == "draft"
    assert {states[cid] for cid in [*ordinary, last]} == {"awaiting_specialist"}
    assert _hub_conversations(hub_db) == 5
    assert gp.waiting() == 0
