"""Screenshots of signing in and syncing: the sign-in dialog, then a GP's and a specialist's window.

Runs what ``bhcp-ag`` runs (the composition root's ``connect_hub`` and ``DesktopSession``)
in a throwaway data directory, on Qt's offscreen platform: the embedded demo hub starts,
the GP signs in through the dialog and sends three dermatology requests, which sync;
then the specialist's window, on a store of its own, syncs them in. Tokens stay in memory
(the keyring of the machine taking the pictures is never touched)::

    python scripts/screenshot_sync.py [OUTPUT_DIR]   # sign-in.png, gp.png, specialist.png,
                                                     # gp-reply.png, specialist-answer.png
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported only after QT_QPA_PLATFORM is set
    from PySide6.QtWidgets import QWidget

    from bhcp_ag.app import DesktopSession
    from bhcp_ag.ui.main_window import MainWindow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

QUESTIONS = (
    "Pigmented lesion on the left upper back, darker since the summer: monitor or review?",
    "Itchy plaques on both elbows for 3 months: eczema or psoriasis, and what next?",
    "Recurrent facial rash after sun exposure; could this be cutaneous lupus?",
)


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Let Qt run until ``condition()`` holds (a condition wait, as pytest-qt's waitUntil)."""
    from PySide6.QtCore import QDeadlineTimer
    from PySide6.QtTest import QTest

    deadline = QDeadlineTimer(int(seconds * 1000))
    while not condition():
        if deadline.hasExpired():
            raise SystemExit("Timed out waiting for the app.")
        QTest.qWait(20)


def settle() -> None:
    """Let queued layout and paint events run, so the picture shows the final layout."""
    from PySide6.QtTest import QTest

    for _ in range(5):
        QTest.qWait(20)


def save(widget: QWidget, path: Path) -> None:
    settle()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path)):
        raise SystemExit(f"Could not write {path}.")
    print(f"Saved {path}.")


def open_desk(folder: Path, name: str, hub_url: str | None) -> DesktopSession:
    """A desktop as ``bhcp-ag`` builds it; ``hub_url`` None starts the embedded hub."""
    from PySide6.QtCore import QSettings

    from bhcp_ag.app import DesktopSession, HubConnection, connect_hub, open_store_with_reference

    store = open_store_with_reference(folder / f"{name}.sqlite3")
    settings = QSettings(str(folder / f"{name}.ini"), QSettings.Format.IniFormat)
    hub = (
        connect_hub(store, None, settings)
        if hub_url is None
        else HubConnection.open(store, hub_url)
    )
    return DesktopSession(store, hub, settings=settings)


def sign_in_dialog(session: DesktopSession, username: str, output: Path) -> None:
    """Show the dialog, take its picture, and sign in through it."""
    from bhcp_ag.ui.sign_in import SignInDialog

    dialog = SignInDialog(
        None,
        hub_url=session.hub.url,
        engine=session.hub.engine,
        remembered_username=username,
        embedded=session.hub.embedded is not None,
        tasks=session.tasks,
    )
    dialog.show()
    dialog.password.setText("demo-password-2026")
    save(dialog, output)
    dialog.sign_in_button.click()
    wait_until(lambda: dialog.session is not None or dialog.message.isVisible())
    if dialog.session is None:
        raise SystemExit(f"Sign-in failed: {dialog.message.text()}")
    dialog.close()


def send_requests(window: MainWindow) -> None:
    from bhcp_ag.domain.request import AdviceRequestForm

    workspace = window._workspace
    for number, question in enumerate(QUESTIONS):
        form = AdviceRequestForm(
            specialty_code="330",
            patient_nhs_number=("9434765919", "4010232137", "9876543210")[number],
            patient_family_name=("Capstick", "Airey", "Nguyen")[number],
            patient_given_name=("Jean", "David", "Mia")[number],
            patient_birth_date=date(1958 + 7 * number, 3, 14),
            patient_sex=("female", "male", "female")[number],
            question=question,
            clinical_summary="Seen in surgery this week; photographs to follow.",
            template_answers={
                "lesion_site": ("Left upper back", "Both elbows", "Face")[number],
                "problem_type": ("Single lesion", "Rash", "Rash")[number],
                "duration": ("3 years", "3 months", "6 weeks")[number],
                "changes": ["Change in colour"] if number == 0 else ["None"],
                "treatments_tried": "Emollients",
                "photo_attached": "Clinical only",
            },
            would_have_referred="yes",
            convert_authorisation="NOT_AUTHORISED_TO_CONVERT",
        )
        workspace.requests.submit(workspace.user.id, form)
    window.refresh()
    window.sync_now()


def synced(window: MainWindow, rows: int) -> bool:
    from bhcp_ag.sync.report import SyncState

    status = window.sync_status.status
    done = status.state is SyncState.SYNCED and status.changes_waiting == 0
    return done and window.model.rowCount() >= rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import keyring
    from keyring.backends import fail
    from PySide6.QtWidgets import QApplication

    keyring.set_keyring(fail.Keyring())  # never this machine's keyring
    app = QApplication.instance() or QApplication(["bhcp-ag"])
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        os.environ["BHCP_AG_DATA_DIR"] = str(folder / "data")
        gp = open_desk(folder, "gp", None)
        specialist = open_desk(folder, "specialist", gp.hub.url)
        try:
            _pictures(gp, specialist, args.output)
        finally:
            for session in (specialist, gp):
                session.shutdown()
                session.hub.close()
                session.store.close()
    del app
    return 0


def _pictures(gp: DesktopSession, specialist: DesktopSession, output: Path) -> None:
    sign_in_dialog(gp, "demo.gp", output / "sign-in.png")
    window = gp.open_window("demo.gp")
    window.resize(1500, 820)
    send_requests(window)
    wait_until(lambda: synced(window, len(QUESTIONS)))
    window.select_conversation(window.model.conversation_id(0))
    save(window, output / "gp.png")
    specialist.hub.engine.sign_in("demo.specialist", "demo-password-2026")
    other = specialist.open_window("demo.specialist")
    other.resize(1500, 820)
    wait_until(lambda: synced(other, len(QUESTIONS)))
    other.select_conversation(other.model.conversation_id(0))
    save(other, output / "specialist.png")
    _question_and_reply(window, other, output)


def _question_and_reply(gp: MainWindow, specialist: MainWindow, output: Path) -> None:
    """The specialist claims one request and asks for more; the GP is writing the answer.
    Then the specialist writes advice on another: ``gp-reply.png``, ``specialist-answer.png``.
    """
    from bhcp_ag.domain.conversation import Recommendation, SpecialistOutcome, Status

    asked, advised = (gp.model.conversation_id(row) for row in (0, 1))
    specialist.select_conversation(asked)
    specialist.panel.claim()
    specialist.panel.respond(
        SpecialistOutcome.REQUIRE_FURTHER_INFORMATION,
        "How large is the lesion now, and has it bled? A dermoscopic photograph would help.",
    )
    specialist.sync_now()
    wait_until(lambda: specialist.sync_status.status.changes_waiting == 0)

    def question_arrived() -> bool:
        gp.sync_now()
        gp.select_conversation(asked)
        view = gp.panel._view
        return view is not None and view.status == Status.MORE_INFO_REQUESTED

    wait_until(question_arrived)
    gp.panel.composer.text.setPlainText(
        "9 mm at its widest, no bleeding. Dermoscopic photograph taken today: reticular "
        "pattern, no blue-white veil."
    )
    save(gp, output / "gp-reply.png")

    specialist.select_conversation(advised)
    composer = specialist.panel.composer
    composer.choose_outcome(SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE)
    composer.choose_recommendation(Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED)
    composer.text.setPlainText(
        "Chronic plaque psoriasis. Potent topical steroid with a vitamin D analogue once "
        "daily for 4 weeks, then at weekends. No referral needed unless it fails."
    )
    save(specialist, output / "specialist-answer.png")


if __name__ == "__main__":
    raise SystemExit(main())
