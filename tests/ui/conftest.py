"""Fixtures for the UI tests: a real store of demo data, a GP's workspace, isolated settings.

``tests/conftest.py`` migrates one template store per session; here 300 demo conversations
are added to a copy of it once, and each test gets its own copy of that (as Anki's
``pylib/tests/shared.py`` does), so every test may write to its store. Time is fixed at
:data:`NOW`, a Monday morning just after the demo year ends.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.workspace import Workspace, load_user
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.store.db import Store, create_sqlite_engine
from bhcp_ag.store.demo import generate_demo_data
from bhcp_ag.store.models import Conversation, OutboxChange
from bhcp_ag.store.reference import DEMO_GP, DEMO_SPECIALIST, seed_reference_data
from bhcp_ag.ui.main_window import MainWindow

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DEMO_END = date(2026, 11, 20)
DEMO_CONVERSATIONS = 300


@pytest.fixture(scope="session")
def targets() -> ResponseTargets:
    return ResponseTargets.load()


@pytest.fixture(scope="session")
def demo_store_file(
    tmp_path_factory: pytest.TempPathFactory,
    make_store: Callable[[Path], Store],
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
) -> Path:
    """The migrated template with reference data and 300 demo conversations, made once."""
    path = tmp_path_factory.mktemp("ui-demo") / "store.sqlite3"
    store = make_store(path)
    try:
        with store.session() as session:
            seed_reference_data(session, organisation, catalogue)
        generate_demo_data(store, conversations=DEMO_CONVERSATIONS, seed=1, end=DEMO_END)
        with store.engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # so it copies whole
    finally:
        store.close()
    return path


@pytest.fixture
def ui_store(demo_store_file: Path, tmp_path: Path) -> Iterator[Store]:
    """This test's own copy of the demo store."""
    path = tmp_path / "store.sqlite3"
    shutil.copyfile(demo_store_file, path)
    store = Store(create_sqlite_engine(path))
    yield store
    store.close()


@pytest.fixture
def workspace(
    ui_store: Store, catalogue: SpecialtyCatalogue, targets: ResponseTargets
) -> Workspace:
    """Dr Amelia Hart, the demo GP, with the services' clock fixed at :data:`NOW`."""
    user = load_user(ui_store, DEMO_GP)
    return Workspace.for_user(ui_store, user, catalogue, targets, now=lambda: NOW)


@pytest.fixture
def specialist_workspace(workspace: Workspace) -> Workspace:
    """The demo specialist on the same store as :func:`workspace`, the clock at :data:`NOW`."""
    specialist = load_user(workspace.store, DEMO_SPECIALIST)
    return Workspace.for_user(
        workspace.store, specialist, workspace.catalogue, workspace.targets, lambda: NOW
    )


def shown_window(
    qtbot: QtBot,
    workspace: Workspace,
    settings: QSettings,
    now: datetime,
    *,
    hub_url: str | None = None,
    demo_hub: bool = False,
) -> MainWindow:
    """A main window for ``workspace`` whose clock stands at ``now``, shown on screen."""
    window = MainWindow(
        workspace, settings=settings, now=lambda: now, hub_url=hub_url, demo_hub=demo_hub
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def now() -> datetime:
    """The tests' fixed present: :data:`NOW`."""
    return NOW


@pytest.fixture
def gp_scope(workspace: Workspace) -> ConversationFilter:
    return workspace.user.list_scope()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """UI preferences in this test's folder, never the developer's own."""
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def main_window(qtbot: QtBot, workspace: Workspace, settings: QSettings) -> MainWindow:
    window = MainWindow(workspace, settings=settings, now=lambda: NOW)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def stored_conversation(workspace: Workspace, cid: str) -> Conversation:
    """The conversation ``cid`` as the store holds it now (detached, to read freely)."""
    with workspace.store.read_session() as session:
        conv = session.get(Conversation, cid)
        assert conv is not None
        session.expunge(conv)
        return conv


def queued_changes(workspace: Workspace) -> list[tuple[str, dict]]:
    """The outbox, oldest first: (kind, payload) of each change queued for the hub."""
    with workspace.store.read_session() as session:
        rows = session.execute(
            select(OutboxChange.kind, OutboxChange.payload).order_by(OutboxChange.seq)
        )
        return [(kind, json.loads(payload)) for kind, payload in rows]
