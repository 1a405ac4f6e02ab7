"""A real cycle against the real hub reports how far it has got, push batch by push batch
and pull page by pull page, through the engine's status hook (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyring.backends import fail

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.demo_users import DEMO_GP, DEMO_PASSWORD
from bhcp_ag.services.requests import AdviceRequests
from bhcp_ag.store.db import Store
from bhcp_ag.store.reference import seed_reference_data, user_id
from bhcp_ag.sync.client import HubClient
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.report import SyncState, SyncStatus
from tests.forms import DERMATOLOGY

MakeStore = Callable[[Path], Store]
HUB_CONVERSATIONS = 7
LOCAL_REQUESTS = 3
PAGE_SIZE = 2

FORM = DERMATOLOGY


@pytest.fixture
def statuses() -> list[SyncStatus]:
    return []


@pytest.fixture
def engine(
    hub_server: str,
    make_store: MakeStore,
    tmp_path: Path,
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
    statuses: list[SyncStatus],
) -> Iterator[SyncEngine]:
    """The GP's desktop: a real store, client and engine, pulling two conversations a page."""
    store = make_store(tmp_path / "gp.sqlite3")
    with store.session() as session:
        seed_reference_data(session, organisation, catalogue)
    tokens = TokenStore(hub_server, backend=fail.Keyring())
    client = HubClient(hub_server, credentials=tokens, timeout=(2, 30))
    made = SyncEngine(store, client, tokens, batch_size=1, page_size=PAGE_SIZE, progress_interval=0)
    made.sign_in(DEMO_GP, DEMO_PASSWORD)
    made.on_status = statuses.append
    yield made
    client.close()
    tokens.close()
    store.close()


def test_a_first_sync_reports_each_change_sent_and_each_page_received(
    engine: SyncEngine,
    statuses: list[SyncStatus],
    add_conversation: Callable[..., str],
    catalogue: SpecialtyCatalogue,
) -> None:
    for _ in range(HUB_CONVERSATIONS):
        add_conversation("BAY001", "330")
    requests_ = AdviceRequests(engine.store, catalogue, ResponseTargets.load())
    for _ in range(LOCAL_REQUESTS):
        requests_.submit(user_id(DEMO_GP), FORM)

    report = engine.sync_once()

    assert report.state is SyncState.SYNCED and report.pushed == LOCAL_REQUESTS
    syncing = [status for status in statuses if status.state is SyncState.SYNCING]
    assert statuses[-1].state is SyncState.SYNCED and len(syncing) == len(statuses) - 1
    assert {status.to_send for status in syncing} == {LOCAL_REQUESTS}
    sent = [status.sent for status in syncing]
    assert sent[: LOCAL_REQUESTS + 1] == list(range(LOCAL_REQUESTS + 1))  # one a batch
    received = [status.received for status in syncing if status.received]
    # Ten conversations two a page (the hub's own and those just pushed): one update a
    # page, each counting more than the last, ending with every one received.
    total = HUB_CONVERSATIONS + LOCAL_REQUESTS
    assert len(received) >= total // PAGE_SIZE
    assert received == sorted(set(received))
    assert received[-1] == total
    assert report.pulled == total
    final = statuses[-1]
    assert (final.sent, final.to_send, final.received) == (0, None, 0)
    assert final.changes_waiting == 0
