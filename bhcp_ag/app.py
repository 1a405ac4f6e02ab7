"""The composition root: builds the store, the services and the window, and runs Qt.

The one place where concrete objects are made and wired together; nothing else creates
an engine or a Qt application.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from sqlalchemy import func, select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.workspace import UnknownUser, Workspace
from bhcp_ag.store.db import Store, StoreTooNew
from bhcp_ag.store.models import Conversation

log = logging.getLogger(__name__)

FIRST_RUN_CONVERSATIONS = 5_000


def open_store_with_reference(path: Path, catalogue: SpecialtyCatalogue | None = None) -> Store:
    """Open (and migrate) the store, making sure the Bay's reference data is in it."""
    from bhcp_ag.store.reference import seed_reference_data

    store = Store.open(path)
    with store.session() as session:
        seed_reference_data(session, Organisation.load(), catalogue or SpecialtyCatalogue.load())
    return store


def _fill_if_empty(store: Store) -> bool:
    from bhcp_ag.store.demo import generate_demo_data

    with store.read_session() as session:
        if session.scalar(select(func.count()).select_from(Conversation)):
            return False
    generate_demo_data(store, conversations=FIRST_RUN_CONVERSATIONS)
    return True


def run_app(store_path: Path, *, username: str, fill_empty_store: bool = True) -> int:
    """Open the desktop app on the store at ``store_path``; returns the exit status."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from bhcp_ag.ui.main_window import MainWindow

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("bhcp-ag")
    app.setOrganizationName("Bay Health and Care Partners")
    app.setApplicationDisplayName("Advice and Guidance")
    catalogue = SpecialtyCatalogue.load()
    try:
        store = open_store_with_reference(store_path, catalogue)
        if fill_empty_store and _fill_if_empty(store):
            log.info("First run: filled the local store with demo data")
        workspace = Workspace.open(store, username, catalogue, ResponseTargets.load())
    except (StoreTooNew, UnknownUser) as error:
        QMessageBox.critical(None, "Advice and Guidance cannot start", str(error))
        return 1
    window = MainWindow(workspace)
    window.show()
    status = app.exec()
    store.close()
    return int(status)
