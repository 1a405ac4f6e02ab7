"""Defect 5: a due time reads the same for the GP and the specialist, and names its days."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bhcp_ag.domain.clock import due_at
from bhcp_ag.domain.conversation import Status
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import Conversation
from bhcp_ag.ui.conversation_model import Column
from bhcp_ag.ui.main_window import MainWindow
from tests.ui.conftest import shown_window


def _waiting_request(workspace: Workspace, specialty_codes: tuple[str, ...], due: datetime) -> str:
    """One of the GP's requests, sent to the specialist's specialty, waiting until ``due``."""
    with workspace.store.session() as session:
        conv = session.scalars(
            select(Conversation)
            .where(
                Conversation.practice_code == workspace.user.practice_code,
                Conversation.specialty_code.in_(specialty_codes),
                Conversation.submitted_at.is_not(None),
            )
            .limit(1)
        ).one()
        conv.status = Status.AWAITING_SPECIALIST.value
        conv.due_at = due
        conv.closed_at = None
        return conv.id


def _cell(window: MainWindow, conversation_id: str, column: Column, role: int) -> str:
    row = window.model.row_of(conversation_id)
    assert row is not None, "the conversation is in the list"
    return str(window.model.index(row, column).data(role))


def test_the_gp_and_the_specialist_read_the_same_words_for_one_due_time(
    qtbot: QtBot,
    workspace: Workspace,
    specialist_workspace: Workspace,
    settings: QSettings,
    now: datetime,
) -> None:
    specialist = specialist_workspace.user
    # Due two working days after 08:00 today, looked at 30 s later: 1 working day 10 h
    # and some minutes are left (the old list rounded that up to "2 d").
    sent = now.replace(hour=8, minute=0)
    looked_at = sent + timedelta(seconds=30)
    conversation_id = _waiting_request(workspace, specialist.specialty_codes, due_at(sent, 2))
    gp = shown_window(qtbot, workspace, settings, looked_at)
    queue = shown_window(qtbot, specialist_workspace, settings, looked_at + timedelta(minutes=1))

    display, tip = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
    words = "due in 1 working day 10 h"
    for window in (gp, queue):
        next_action = _cell(window, conversation_id, Column.NEXT_ACTION, display)
        assert next_action == f"Specialist · {words}"
        assert _cell(window, conversation_id, Column.DUE, tip).endswith(f"({words})")
        assert window.select_conversation(conversation_id)
        qtbot.waitUntil(lambda w=window: words in w.viewer.toPlainText())
    # The age beside it in the specialist's queue says its days are calendar days.
    age = _cell(queue, conversation_id, Column.AGE, display)
    assert age.endswith(("calendar days", "calendar day")), age
