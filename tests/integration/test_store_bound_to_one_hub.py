"""A desk's store belongs to one hub, and its remembered hub and layout to its data folder.

A store first synced with one hub refuses another (signing in and syncing), sending and
taking nothing, with words that say what to do; the same hub at another address is the
same hub. A second copy of the app with a data folder of its own does not inherit the
hub the first copy was given.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import QCoreApplication, QSettings
from sqlalchemy import func, select, text

from bhcp_ag.app import HUB_URL_KEY, configured_hub_url, desk_settings
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.hub.models import Conversation as HubConversation
from bhcp_ag.hub.settings import HubSettings
from bhcp_ag.store.models import Conversation
from bhcp_ag.store.sync_state import bound_hub
from bhcp_ag.sync.client import HubClient, retry_policy
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.sync.errors import OtherHub
from bhcp_ag.sync.report import SyncState
from tests.integration._client_helpers import Desk, open_desk, submit
from tests.integration.conftest import run_hub

__all__ = ["open_desk"]  # the fixture, used by name


@pytest.fixture
def other_hub(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[str, HubDatabase]]:
    """A second hub: a copy of the demo hub's database given an id of its own."""
    path = tmp_path / "other-hub.sqlite3"
    with (
        closing(sqlite3.connect(sqlite_template)) as source,
        closing(sqlite3.connect(path)) as copy,
    ):
        source.backup(copy)
        copy.execute("UPDATE hub_identity SET id = ?", (str(uuid.uuid4()),))
        copy.commit()
    url = f"sqlite:///{path}"
    database = HubDatabase.open(url, migrate_schema=False)
    server = run_hub(HubSettings(database_url=url))
    try:
        yield next(server), database
    finally:
        server.close()
        database.close()


def _engine_for(desk: Desk, url: str) -> Callable[[], SyncEngine]:
    def make() -> SyncEngine:
        tokens = TokenStore(url, backend=fail.Keyring())
        client = HubClient(url, credentials=tokens, timeout=(2, 30), retry=retry_policy(0))
        return SyncEngine(desk.store, client, tokens)

    return make


def _local_conversations(desk: Desk) -> int:
    with desk.store.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Conversation)) or 0)


def test_a_store_synced_with_one_hub_refuses_another(
    hub_server: str, other_hub: tuple[str, HubDatabase], open_desk: Callable[..., Desk]
) -> None:
    other_url, other_db = other_hub
    desk = open_desk(hub_server, "demo.gp")
    assert desk.sync().state is SyncState.SYNCED
    with desk.store.read_session() as session:
        bound = bound_hub(session)
    assert bound is not None and bound.url == hub_server and bound.demo
    queued = submit(desk)  # waits in the outbox
    before = _local_conversations(desk)

    engine = _engine_for(desk, other_url)()
    with pytest.raises(OtherHub) as refused:
        engine.sign_in("demo.gp", DEMO_PASSWORD)
    words = refused.value.detail
    assert other_url in words and hub_server in words and "BHCP_AG_DATA_DIR" in words
    assert str(desk.store.engine.url.database).rsplit("/", 1)[0] in words

    report = engine.sync_once()
    assert report.state is SyncState.OTHER_HUB and report.message == words
    assert (report.pushed, report.pulled) == (0, 0)
    assert desk.waiting() == 1 and _local_conversations(desk) == before
    with other_db.transaction() as session:
        assert session.get(HubConversation, queued) is None  # nothing reached the other hub
    with desk.store.read_session() as session:
        assert bound_hub(session) == bound  # still bound to the first

    assert desk.sync().state is SyncState.SYNCED and desk.waiting() == 0  # the right one


def test_the_same_hub_at_another_address_is_the_same_hub(
    hub_server: str, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(hub_server, "demo.gp")
    assert desk.sync().state is SyncState.SYNCED
    by_name = hub_server.replace("127.0.0.1", "localhost")
    engine = _engine_for(desk, by_name)()
    engine.sign_in("demo.gp", DEMO_PASSWORD)
    assert engine.sync_once().state is SyncState.SYNCED
    with desk.store.read_session() as session:
        bound = bound_hub(session)
    assert bound is not None and bound.url == by_name  # the address it was last reached at


def test_a_hub_that_does_not_say_who_it_is_is_not_synced_with(
    hub_server: str, hub_db: HubDatabase, open_desk: Callable[..., Desk]
) -> None:
    with hub_db.transaction() as session:
        session.execute(text("DELETE FROM hub_identity"))
    desk = open_desk(hub_server, "demo.gp", sign_in=False)
    report = desk.sync()
    assert report.state is SyncState.HUB_ERROR  # the hub answers 503 without its identity
    with desk.store.read_session() as session:
        assert bound_hub(session) is None


def test_each_data_folder_remembers_its_own_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first" / "store.sqlite3", tmp_path / "second" / "store.sqlite3"
    monkeypatch.setenv("BHCP_AG_DATA_DIR", str(first.parent))
    desk_settings(first).setValue(HUB_URL_KEY, "https://hub.example.nhs.uk")
    monkeypatch.setenv("BHCP_AG_DATA_DIR", str(second.parent))
    assert configured_hub_url(None, desk_settings(second)) is None  # the demo hub, its own
    assert configured_hub_url(None, desk_settings(first)) == "https://hub.example.nhs.uk"
    assert (first.parent / "settings.ini").exists()


def test_the_default_folder_takes_over_the_settings_kept_per_user_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = QCoreApplication.instance() or QCoreApplication([])
    names = app.organizationName(), app.applicationName()
    for scope_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(scope_format, QSettings.Scope.UserScope, str(tmp_path / "per-user"))
    app.setOrganizationName("bhcp-ag-test")
    app.setApplicationName("bound-hub-test")
    try:
        QSettings().setValue(HUB_URL_KEY, "https://kept.example.nhs.uk")  # an earlier version
        store = tmp_path / "default" / "store.sqlite3"
        monkeypatch.delenv("BHCP_AG_DATA_DIR", raising=False)
        monkeypatch.delenv("BHCP_AG_STORE", raising=False)
        monkeypatch.setattr("bhcp_ag.app.default_store_path", lambda: store)
        assert desk_settings(store).value(HUB_URL_KEY) == "https://kept.example.nhs.uk"
        monkeypatch.setenv("BHCP_AG_DATA_DIR", str(tmp_path / "another"))
        another = tmp_path / "another" / "store.sqlite3"
        assert desk_settings(another).value(HUB_URL_KEY) is None  # a folder of its own
    finally:
        app.setOrganizationName(names[0])
        app.setApplicationName(names[1])
