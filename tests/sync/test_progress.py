"""How far a sync cycle has got: the counts the push and pull steps keep, and the throttled
status updates the engine publishes from them, over a real store and a stand-in hub."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bhcp_ag.store.conversations import record_change
from bhcp_ag.store.db import Store
from bhcp_ag.store.reference import user_id
from bhcp_ag.store.sync_state import cursor_key
from bhcp_ag.sync.engine import ProgressThrottle, SyncEngine
from bhcp_ag.sync.pull import pull_all
from bhcp_ag.sync.push import Backoff, push_pending
from bhcp_ag.sync.report import SyncState, SyncStatus, Tally
from bhcp_ag.sync.wire import ChangeResult, HubUser, Json, PulledPage

GP = user_id("demo.gp")
SYNCED_AT = datetime(2026, 11, 23, 10, 42, tzinfo=UTC)
BASE_URL = "https://hub.bay.example"
KEY = cursor_key(BASE_URL, GP)
GP_USER = {
    "id": GP,
    "username": "demo.gp",
    "display_name": "Dr Amelia Hart",
    "role": "gp",
    "practice_code": "BAY001",
    "specialty_codes": [],
}


def snapshot() -> dict[str, Any]:
    """A conversation as the hub sends it, with its one request message."""
    cid = str(uuid.uuid4())
    return {
        "id": cid,
        "version": 1,
        "practice_code": "BAY001",
        "requester_id": GP,
        "specialty_code": "330",
        "priority": "ROUTINE",
        "status": "awaiting_specialist",
        "patient_nhs_number": "9434765919",
        "patient_birth_date": "1961-05-14",
        "patient_sex": "female",
        "question": "Is this lesion safe to monitor?",
        "clinical_summary": "Darker recently.",
        "medication": "",
        "results": "",
        "template_answers": {"lesion_site": "back"},
        "would_have_referred": "yes",
        "convert_authorisation": None,
        "created_at": "2026-11-23T10:00:00Z",
        "updated_at": "2026-11-23T10:00:01Z",
        "submitted_at": "2026-11-23T10:00:01Z",
        "due_at": "2026-11-25T10:00:01Z",
        "first_response_at": None,
        "closed_at": None,
        "claimed_by_id": None,
        "claimed_at": None,
        "specialist_outcome": None,
        "recommendation": None,
        "closing_outcome": None,
        "referral_avoided": None,
        "messages": [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, cid)),
                "author_id": GP,
                "author_role": "gp",
                "kind": "request",
                "body": "Is this lesion safe to monitor?",
                "specialist_outcome": None,
                "recommendation": None,
                "created_at": "2026-11-23T10:00:01Z",
            }
        ],
        "attachments": [],
    }


class StandInHub:
    """Answers pushes (every change applied) and serves ``pages`` of snapshots in order."""

    base_url = BASE_URL
    signed_in = True

    def __init__(self, pages: list[list[Json]] | None = None) -> None:
        self.pages = pages or [[]]
        self.user = HubUser(GP, "demo.gp", "Dr Amelia Hart", "gp", "BAY001", ())
        self.pushes: list[int] = []
        self.on_push: Callable[[], None] | None = None

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "hub_id": "stand-in-hub", "demo": True}

    def push(self, changes: list[dict[str, Any]]) -> list[ChangeResult]:
        self.pushes.append(len(changes))
        if self.on_push is not None:
            self.on_push()
        return [ChangeResult(c["id"], "applied", None, None, None) for c in changes]

    def pull(self, cursor: str | None, limit: int) -> PulledPage:
        index = int(cursor or 0)
        more = index + 1 < len(self.pages)
        return PulledPage(self.pages[index], [GP_USER], str(index + 1), more)


def queue_changes(store: Store, count: int) -> None:
    with store.session() as session:
        for _ in range(count):
            record_change(session, "conversation.claim", {}, conversation_id=None, user_id=GP)


def counting(tally: Tally, seen: list[tuple[int, int | None, int]]) -> Tally:
    tally.on_progress = lambda t: seen.append((t.pushed, t.to_send, t.received))
    return tally


class SteppingClock:
    """A monotonic clock that moves on by ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def push(store: Store, hub: StandInHub, tally: Tally, batch_size: int) -> None:
    push_pending(
        store,
        hub,  # type: ignore[arg-type]
        tally,
        backoff=Backoff(first_delay=0.01),
        clock=lambda: SYNCED_AT,
        batch_size=batch_size,
    )


# --- the counts -------------------------------------------------------------------------


def test_the_push_counts_changes_sent_of_those_to_send_as_each_batch_settles(
    seeded_store: Store,
) -> None:
    queue_changes(seeded_store, 5)
    seen: list[tuple[int, int | None, int]] = []
    push(seeded_store, StandInHub(), counting(Tally(), seen), batch_size=2)
    assert seen == [(2, 5, 0), (4, 5, 0), (5, 5, 0)]


def test_changes_queued_during_the_push_are_added_to_those_to_send(seeded_store: Store) -> None:
    queue_changes(seeded_store, 5)
    hub = StandInHub()
    hub.on_push = lambda: queue_changes(seeded_store, 1) if len(hub.pushes) == 1 else None
    seen: list[tuple[int, int | None, int]] = []
    push(seeded_store, hub, counting(Tally(), seen), batch_size=2)
    assert seen == [(2, 5, 0), (4, 6, 0), (6, 6, 0)]
    assert hub.pushes == [2, 2, 2]


def test_nothing_to_push_leaves_to_send_unknown(seeded_store: Store) -> None:
    seen: list[tuple[int, int | None, int]] = []
    tally = counting(Tally(), seen)
    push(seeded_store, StandInHub(), tally, batch_size=2)
    assert seen == [] and tally.to_send is None


def test_the_pull_counts_conversations_received_page_by_page(seeded_store: Store) -> None:
    pages: list[list[Json]] = [[snapshot() for _ in range(3)] for _ in range(2)] + [[snapshot()]]
    seen: list[tuple[int, int | None, int]] = []
    tally = counting(Tally(), seen)
    pull_all(seeded_store, StandInHub(pages), tally, cursor_key=KEY, page_size=3)  # type: ignore[arg-type]
    assert [received for _, _, received in seen] == [3, 6, 7]
    assert tally.received == tally.pulled == 7


# --- what the engine publishes ------------------------------------------------------------


def engine_for(store: Store, hub: StandInHub, statuses: list[SyncStatus], **kw: Any) -> SyncEngine:
    return SyncEngine(
        store,
        hub,  # type: ignore[arg-type]
        batch_size=2,
        page_size=3,
        backoff=Backoff(first_delay=0.01),
        on_status=statuses.append,
        **kw,
    )


def test_the_engine_publishes_progress_during_a_cycle_and_clears_it_after(
    seeded_store: Store,
) -> None:
    queue_changes(seeded_store, 5)
    pages: list[list[Json]] = [[snapshot() for _ in range(3)], [snapshot() for _ in range(2)]]
    statuses: list[SyncStatus] = []
    engine = engine_for(seeded_store, StandInHub(pages), statuses, progress_interval=0)
    report = engine.sync_once()
    assert report.state is SyncState.SYNCED and report.pulled == 5
    progress = [(s.state, s.sent, s.to_send, s.received) for s in statuses]
    syncing = SyncState.SYNCING
    assert progress == [
        (syncing, 0, 5, 0),  # as the cycle starts: what waits to be sent
        (syncing, 2, 5, 0),
        (syncing, 4, 5, 0),
        (syncing, 5, 5, 0),
        (syncing, 5, 5, 3),
        (syncing, 5, 5, 5),
        (SyncState.SYNCED, 0, None, 0),
    ]
    assert all(s.in_progress for s in statuses[:-1]) and not statuses[-1].in_progress
    assert engine.status() == statuses[-1]
    assert statuses[-1].changes_waiting == 0 and statuses[-1].last_synced_at is not None


def test_a_cycle_with_nothing_to_send_starts_without_a_count(seeded_store: Store) -> None:
    statuses: list[SyncStatus] = []
    engine_for(seeded_store, StandInHub(), statuses, progress_interval=0).sync_once()
    first = statuses[0]
    assert first.state is SyncState.SYNCING and first.to_send is None
    assert not first.in_progress


def test_the_engine_lets_through_at_most_one_update_an_interval(seeded_store: Store) -> None:
    queue_changes(seeded_store, 10)  # five batches of two, each settling 0.1 s after the last
    statuses: list[SyncStatus] = []
    engine = engine_for(seeded_store, StandInHub(), statuses)
    engine.progress_throttle = ProgressThrottle(0.25, SteppingClock(0.1))
    engine.sync_once()
    sent = [s.sent for s in statuses if s.state is SyncState.SYNCING]
    # The start; the third batch (0.3 s after it); the pull's page 0.3 s later; the rest
    # came too soon and were dropped.
    assert sent == [0, 6, 10]


def test_a_long_interval_leaves_only_the_start_and_the_end(seeded_store: Store) -> None:
    queue_changes(seeded_store, 5)
    statuses: list[SyncStatus] = []
    engine_for(seeded_store, StandInHub(), statuses, progress_interval=3600).sync_once()
    assert [s.state for s in statuses] == [SyncState.SYNCING, SyncState.SYNCED]


@pytest.mark.parametrize(
    ("reads", "expected"),
    [
        ([0.0, 0.1, 0.2, 0.3], [True, False, False, True]),
        ([5.0, 5.0, 5.25], [True, False, True]),
    ],
)
def test_the_throttle(reads: list[float], expected: list[bool]) -> None:
    clock = iter(reads)
    throttle = ProgressThrottle(0.25, lambda: next(clock))
    assert [throttle.ready() for _ in reads] == expected


def test_the_throttle_waits_a_full_interval_after_a_published_status() -> None:
    clock = iter([1.0, 1.1, 1.3])
    throttle = ProgressThrottle(0.25, lambda: next(clock))
    throttle.restart()
    assert [throttle.ready(), throttle.ready()] == [False, True]
