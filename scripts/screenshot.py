"""Take the documentation's screenshots: each role's main screen, and a new request.

Builds a throwaway store with demo data (fixed seed and end date, so the pictures only
change when the UI does), opens the windows on Qt's offscreen platform and saves::

    python scripts/screenshot.py [docs/screenshot.png] [--form docs/new-request.png]
        [--roles docs]

``screenshot.png`` is the GP's list with advice open; with ``--roles``, also the
specialist's queue with a response being written (``specialist-queue.png``), the
practice manager's view (``manager.png``), the administrator's list of the Bay's
overdue requests (``admin.png``) and the Bay's report by month (``reports.png``).
``scripts/screenshot_sync.py`` takes the pictures that need a hub (sign-in, a question
and the GP's reply).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported only after QT_QPA_PLATFORM is set
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QApplication

    from bhcp_ag.store.db import Store
    from bhcp_ag.ui.main_window import MainWindow
    from bhcp_ag.ui.request_form import RequestForm

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=Path("docs/screenshot.png"))
    parser.add_argument("--form", type=Path, default=Path("docs/new-request.png"))
    parser.add_argument("--roles", type=Path, default=None, help="folder for each role's")
    parser.add_argument("--conversations", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 20))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from bhcp_ag.app import open_store_with_reference
    from bhcp_ag.store.demo import generate_demo_data

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["bhcp-ag"])
    # Mid-morning of the day the demo year ends (a Friday), so some requests are overdue.
    now = datetime.combine(args.end, time(10, 30), tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store_with_reference(Path(folder) / "store.sqlite3")
        generate_demo_data(store, conversations=args.conversations, seed=args.seed, end=args.end)
        settings = QSettings(str(Path(folder) / "ui.ini"), QSettings.Format.IniFormat)
        try:
            _screenshots(app, store, settings, now, args)
        finally:
            store.close()
    roles = f" and each role's screen in {args.roles}" if args.roles else ""
    print(f"Saved {args.output}, {args.form}{roles}.")
    return 0


def _screenshots(
    app: QApplication, store: Store, settings: QSettings, now: datetime, args: argparse.Namespace
) -> None:
    from bhcp_ag.domain.specialties import SpecialtyCatalogue
    from bhcp_ag.domain.targets import ResponseTargets
    from bhcp_ag.services.workspace import Workspace, load_user
    from bhcp_ag.ui.main_window import MainWindow

    catalogue = SpecialtyCatalogue.load()
    targets = ResponseTargets.load()
    user = load_user(store, "demo.gp")
    workspace = Workspace.for_user(store, user, catalogue, targets, now=lambda: now)
    window = MainWindow(workspace, settings=settings, now=lambda: now)
    window.resize(1500, 900)
    window.show()
    _select_answered(window)
    _settle(app)
    _save(window.grab(), args.output)
    form = window.open_new_request()
    form.resize(780, 1180)
    _fill_dermatology(form)
    _settle(app)
    _save(form.grab(), args.form)
    form.close()
    window.close()
    if args.roles is not None:
        _role_screenshots(app, store, Path(settings.fileName()).parent, now, args.roles)


def _open(store: Store, username: str, folder: Path, now: datetime) -> MainWindow:
    """The main window of ``username``, with settings of its own (as on their computer)."""
    from PySide6.QtCore import QSettings

    from bhcp_ag.domain.specialties import SpecialtyCatalogue
    from bhcp_ag.domain.targets import ResponseTargets
    from bhcp_ag.services.workspace import Workspace, load_user
    from bhcp_ag.ui.main_window import MainWindow

    user = load_user(store, username)
    workspace = Workspace.for_user(
        store, user, SpecialtyCatalogue.load(), ResponseTargets.load(), now=lambda: now
    )
    settings = QSettings(str(folder / f"{username}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(workspace, settings=settings, now=lambda: now)
    window.resize(1500, 900)
    window.show()
    return window


def _role_screenshots(
    app: QApplication, store: Store, scratch: Path, now: datetime, folder: Path
) -> None:
    """The specialist's queue with advice being written; the manager and the admin reading."""
    from bhcp_ag.domain.conversation import Recommendation, SpecialistOutcome

    specialist = _open(store, "demo.specialist", scratch, now)
    specialist.select_conversation(specialist.model.conversation_id(0))  # the most urgent
    composer = specialist.panel.composer
    if composer.isVisible():
        composer.choose_outcome(SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE)
        composer.choose_recommendation(Recommendation.ADVICE_FOLLOWED_BY_REFERRAL_IF_REQUIRED)
        composer.text.setPlainText(
            "This sounds like a seborrhoeic keratosis. Reassure; if it bleeds or changes "
            "again, refer on the two-week-wait pathway."
        )
    _settle(app)
    _save(specialist.grab(), folder / "specialist-queue.png")
    specialist.close()

    manager = _open(store, "demo.manager", scratch, now)
    _select_answered(manager)
    _settle(app)
    _save(manager.grab(), folder / "manager.png")
    manager.close()

    admin = _open(store, "demo.admin", scratch, now)
    admin.filter_bar.overdue.setChecked(True)  # the Bay's late requests, every specialty
    if admin.model.rowCount():
        admin.select_conversation(admin.model.conversation_id(0))
    _settle(app)
    _save(admin.grab(), folder / "admin.png")
    _reports_screenshot(app, admin, now, folder / "reports.png")
    admin.close()


def _reports_screenshot(app: QApplication, window: MainWindow, now: datetime, path: Path) -> None:
    """The Bay's report for the last twelve months by network, then month, as an
    administrator sees it (a line per network).

    Its choices are kept in ``window``'s settings (a temporary file, as the main window's
    are), never the developer's own.
    """
    from PySide6.QtTest import QTest

    from bhcp_ag.domain.organisation import Organisation
    from bhcp_ag.ui.reports.window import ReportsWindow

    organisation = Organisation.load()
    settings = window._settings
    reports = ReportsWindow.open_for(window, window._workspace, organisation, now, settings)
    reports.resize(1500, 900)
    reports.choices.choose(reports.choices.breakdown, "network")
    reports.choices.choose(reports.choices.then_by, "month")
    reports.run_now()
    for _ in range(500):  # the report runs off the UI thread: wait for it (10 s at most)
        if not reports.busy and reports.report is not None:
            break
        QTest.qWait(20)
    _settle(app)
    _save(reports.grab(), path)
    reports.close()


def _select_answered(window: MainWindow) -> None:
    """Select a conversation with advice in it: it shows a whole thread."""
    from bhcp_ag.domain.conversation import Status
    from bhcp_ag.ui.conversation_model import STATUS_ROLE

    model = window.model
    statuses = [model.index(row, 0).data(STATUS_ROLE) for row in range(model.rowCount())]
    for wanted in (Status.ADVICE_RETURNED, Status.CLOSED):
        if wanted in statuses:
            window.select_conversation(model.conversation_id(statuses.index(wanted)))
            return
    window.select_conversation(model.conversation_id(0))


def _fill_dermatology(form: RequestForm) -> None:
    """Half a dermatology request, with a mistyped NHS number, then Send."""
    fields = form.fields
    form.specialty.choose("330")
    fields.nhs_number.set_value("943 476 5918")
    fields.family_name.set_value("Capstick")
    fields.given_name.set_value("Jean")
    fields.birth_date.set_value(date(1958, 3, 14))
    fields.sex.set_value("female")
    fields.texts["question"].set_value(
        "Pigmented lesion on the left upper back, present for years but darker since the "
        "summer. Is this suitable for monitoring in primary care, or does it need review?"
    )
    fields.texts["clinical_summary"].set_value(
        "8 mm irregularly pigmented macule, no bleeding or itch. Dermoscopy: reticular "
        "pattern, no blue-white veil. Photographs attached."
    )
    fields.would_have_referred.set_value("yes")
    rows = fields.template.rows
    rows["lesion_site"].input.set_value("Left upper back")
    rows["problem_type"].input.set_value("Single lesion")
    form.send()
    form.scroll_area.verticalScrollBar().setValue(0)


def _settle(app: QApplication) -> None:
    """Let queued layout and paint events run, so the picture shows the final layout."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtTest import QTest

    for _ in range(5):
        QTest.qWait(20)
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)


def _save(pixmap: QPixmap, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(path)):
        raise SystemExit(f"Could not write {path}.")


if __name__ == "__main__":
    raise SystemExit(main())
