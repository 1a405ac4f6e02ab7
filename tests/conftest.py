"""Shared fixtures: stores copied from one database migrated once per test session.

Migrating takes far longer than copying a file, so the session migrates one template
store and every test gets its own copy (as Anki's ``pylib/tests/shared.py`` does).
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.store.db import Store, create_sqlite_engine
from bhcp_ag.store.reference import seed_reference_data

MakeStore = Callable[[Path], Store]


@pytest.fixture(autouse=True)
def no_collection_during_the_test() -> Iterator[None]:
    """No cyclic garbage collection while a test and its trailing Qt events run.

    A window that only a test's local variable held sits in reference cycles (its signal
    connections); once the test returns, pytest-qt processes the pending events, and a
    collection triggered by any allocation there could free the window in the middle of
    painting it, which crashes Qt. Collecting here, after the widgets were closed, is safe.
    (Set up before pytest-qt's ``qtbot``, so torn down after it.)
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)  # all the test made is young: gc was off


@pytest.fixture(scope="session")
def template_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store migrated to head, with its WAL folded into the file so it copies whole."""
    path = tmp_path_factory.mktemp("template") / "store.sqlite3"
    store = Store.open(path)
    with store.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    store.close()
    return path


@pytest.fixture(scope="session")
def make_store(template_store_path: Path) -> MakeStore:
    """Copy the migrated template to ``path`` and open it (already at head: no migration)."""

    def make(path: Path) -> Store:
        shutil.copyfile(template_store_path, path)
        return Store(create_sqlite_engine(path))

    return make


@pytest.fixture(scope="session")
def organisation() -> Organisation:
    return Organisation.load()


@pytest.fixture(scope="session")
def catalogue() -> SpecialtyCatalogue:
    return SpecialtyCatalogue.load()


@pytest.fixture
def store(make_store: MakeStore, tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store of this test's own."""
    opened = make_store(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def seeded_store(store: Store, organisation: Organisation, catalogue: SpecialtyCatalogue) -> Store:
    """The store with the practices, specialties and the four demo users."""
    with store.session() as session:
        seed_reference_data(session, organisation, catalogue)
    return store
