"""A specialist passes a request to another specialty; a GP closes saying whether the
advice was useful: the dialogs, as a person uses them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from bhcp_ag.domain.conversation import AdviceUseful, ClosingOutcome, Status
from bhcp_ag.domain.limits import MAX_TEXT_CHARS
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import Conversation
from bhcp_ag.ui.conversation_view import ConversationViewer
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.outcome_dialogs import CloseConversationDialog, Closing
from bhcp_ag.ui.redirect_dialog import RedirectDialog
from tests.ui.conftest import queued_changes, shown_window, stored_conversation

NOTE = "Palpitations, not a rash: cardiology should advise."


@pytest.fixture
def specialist_window(
    qtbot: QtBot, specialist_workspace: Workspace, settings: QSettings, now: datetime
) -> MainWindow:
    return shown_window(qtbot, specialist_workspace, settings, now)


def _waiting_dermatology(workspace: Workspace) -> str:
    with workspace.store.session() as session:
        cid = session.scalar(
            select(Conversation.id)
            .where(Conversation.status == Status.AWAITING_SPECIALIST)
            .where(Conversation.specialty_code == "330")
            .limit(1)
        )
        assert cid is not None
        session.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(claimed_by_id=None, claimed_at=None)
        )
    return cid


def _in_dialog(kind: type, steps: Callable[..., None]) -> None:
    """Run ``steps`` on the modal dialog of ``kind`` once it is open."""

    def run() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind))
        steps(dialog)

    QTimer.singleShot(0, run)


def test_a_specialist_passes_a_request_on_and_a_note_typed_is_kept(
    qtbot: QtBot, specialist_window: MainWindow, workspace: Workspace, now: datetime
) -> None:
    cid = _waiting_dermatology(workspace)
    window = specialist_window
    window.filter_bar.status.setCurrentIndex(0)
    assert window.select_conversation(cid)
    panel = window.panel
    assert panel.redirect_button.isVisible() and panel.redirect_button.isEnabled()
    seen: dict[str, object] = {}

    def choose_then_think_better(dialog: RedirectDialog) -> None:
        seen["ok at first"] = dialog.ok.isEnabled()
        dialog.specialty.setCurrentIndex(dialog.specialty.findData("320"))
        seen["without a note"] = (dialog.ok.isEnabled(), dialog.problem.text())
        qtbot.keyClicks(dialog.note, NOTE)
        seen["ready"] = (dialog.ok.isEnabled(), dialog.ok.text())
        seen["offered"] = [dialog.specialty.itemData(i) for i in range(dialog.specialty.count())]
        dialog.reject()

    _in_dialog(RedirectDialog, choose_then_think_better)
    qtbot.mouseClick(panel.redirect_button, Qt.MouseButton.LeftButton)

    assert seen["ok at first"] is False
    assert seen["without a note"] == (
        False,
        "Write a note: the GP and the new specialty need to know why.",
    )
    assert seen["ready"] == (True, "Pass it to Cardiology")
    assert "330" not in seen["offered"]  # not to the specialty it is in
    assert stored_conversation(workspace, cid).specialty_code == "330"  # nothing happened

    def send(dialog: RedirectDialog) -> None:
        seen["note again"] = dialog.note.toPlainText()
        dialog.specialty.setCurrentIndex(dialog.specialty.findData("320"))
        dialog.ok.click()

    _in_dialog(RedirectDialog, send)
    qtbot.mouseClick(panel.redirect_button, Qt.MouseButton.LeftButton)

    assert seen["note again"] == NOTE
    moved = stored_conversation(workspace, cid)
    assert (moved.specialty_code, moved.form_specialty_code, moved.claimed_by_id) == (
        "320",
        "330",
        None,
    )
    kind, payload = queued_changes(workspace)[-1]
    assert kind == "conversation.redirect"
    assert (payload["specialty_code"], payload["note"]) == ("320", NOTE)
    assert "has left your queue" in window.statusBar().currentMessage()
    viewer = ConversationViewer(workspace.catalogue, lambda: now)  # as the GP reads it
    qtbot.addWidget(viewer)
    viewer.show_conversation(workspace.requests.view(cid))
    shown = " ".join(viewer.toPlainText().split())
    assert "Passed on from Dermatology" in shown and "From Dermatology to Cardiology." in shown
    assert NOTE in shown
    assert not window.select_conversation(cid)  # no longer in the dermatology queue


def test_closing_after_advice_asks_whether_it_was_useful(qtbot: QtBot) -> None:
    dialog = CloseConversationDialog(had_advice=True)
    qtbot.addWidget(dialog)
    dialog.buttons[ClosingOutcome.MANAGED_IN_PRIMARY_CARE].click()
    assert not dialog.ok.isEnabled()
    assert dialog.problem.text() == "Say whether the advice was useful."
    dialog.useful_buttons[AdviceUseful.PARTLY].click()
    assert dialog.ok.isEnabled() and dialog.problem.text() == ""

    dialog.note.setPlainText("x" * (MAX_TEXT_CHARS + 5))
    assert not dialog.ok.isEnabled() and "5 characters too long" in dialog.problem.text()
    dialog.note.setPlainText("Managed with the steroid.")
    assert dialog.ok.isEnabled()
    assert dialog.closing() == Closing(
        ClosingOutcome.MANAGED_IN_PRIMARY_CARE, AdviceUseful.PARTLY, "Managed with the steroid."
    )

    no_advice = CloseConversationDialog(had_advice=False)
    qtbot.addWidget(no_advice)
    assert no_advice.useful_buttons == {}
    no_advice.buttons[ClosingOutcome.REFERRED].click()
    assert no_advice.ok.isEnabled()
