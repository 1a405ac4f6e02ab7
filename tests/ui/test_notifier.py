"""The notifier: after a sync that brought answers, a tray notification or a status message."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from bhcp_ag.domain.conversation import Status
from bhcp_ag.services.arrivals import take_arrivals
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import Conversation, Message
from bhcp_ag.store.reference import DEMO_SPECIALIST, user_id
from bhcp_ag.sync.report import SyncReport, SyncState
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.notifier import Notifier

from .conftest import NOW


def report(pulled: int) -> SyncReport:
    return SyncReport(SyncState.SYNCED, 0, 0, 0, pulled, (), NOW)


def answer(workspace: Workspace, count: int, at: datetime = NOW) -> list[str]:
    """Advice arrives from the specialist in ``count`` sent conversations of the practice."""
    with workspace.store.session() as session:
        ids = list(
            session.scalars(
                select(Conversation.id)
                .where(
                    Conversation.practice_code == workspace.user.practice_code,
                    Conversation.status != Status.DRAFT.value,
                )
                .order_by(Conversation.id)
                .limit(count)
            )
        )
        assert len(ids) == count
        for number, conversation_id in enumerate(ids):
            session.add(
                Message(
                    id=str(uuid.uuid4()),
                    conversation_id=conversation_id,
                    author_id=user_id(DEMO_SPECIALIST),
                    author_role="specialist",
                    kind="advice",
                    body="Try a potent topical steroid for two weeks.",
                    created_at=at + timedelta(hours=1, minutes=number),
                )
            )
        session.execute(
            update(Conversation)
            .where(Conversation.id.in_(ids))
            .values(status=Status.ADVICE_RETURNED.value)
        )
    return ids


def notifier_for(workspace: Workspace, window: MainWindow, *, tray: bool) -> Notifier:
    return Notifier(workspace.store, workspace.user, window, tray_available=tray)


@pytest.fixture
def seen_workspace(workspace: Workspace) -> Workspace:
    """The GP's workspace after a first sync: its history is not news."""
    assert take_arrivals(workspace.store, workspace.user) == []
    return workspace


def test_without_a_tray_the_status_bar_says_what_arrived(
    qtbot: QtBot, main_window: MainWindow, seen_workspace: Workspace
) -> None:
    notifier = notifier_for(seen_workspace, main_window, tray=False)
    assert notifier.tray is None
    notifier.on_synced(report(pulled=0))  # the first cycle: looked at, nothing new
    [conversation_id] = answer(seen_workspace, 1)
    notifier.on_synced(report(pulled=0))  # nothing pulled: not even looked for
    assert main_window.statusBar().currentMessage() == ""
    notifier.on_synced(report(pulled=1))
    specialty = seen_workspace.requests.view(conversation_id).specialty_name
    assert main_window.statusBar().currentMessage() == f"{specialty}: advice returned"
    main_window.statusBar().clearMessage()
    notifier.on_synced(report(pulled=1))  # the same arrival is told once
    assert main_window.statusBar().currentMessage() == ""


def test_the_first_sync_is_history_even_when_it_brought_nothing(
    main_window: MainWindow, workspace: Workspace
) -> None:
    notifier = Notifier(workspace.store, workspace.user, main_window, tray_available=False)
    notifier.on_synced(report(pulled=0))  # the store's conversations are history
    answer(workspace, 1)
    notifier.on_synced(report(pulled=1))
    assert notifier.last_text is not None and notifier.last_text.endswith(": advice returned")


def test_the_system_tray_is_used_when_there_is_one(
    qtbot: QtBot, main_window: MainWindow, seen_workspace: Workspace
) -> None:
    notifier = notifier_for(seen_workspace, main_window, tray=True)
    assert isinstance(notifier.tray, QSystemTrayIcon) and notifier.tray.isVisible()
    assert not notifier.tray.icon().isNull()
    ids = answer(seen_workspace, 5)
    notifier.on_synced(report(pulled=5))
    assert notifier.last_text == "5 answers and questions arrived"
    assert main_window.statusBar().currentMessage() == ""
    with qtbot.waitSignal(notifier.activated) as clicked:
        notifier.tray.messageClicked.emit()  # the user clicks the notification
    assert clicked.args == [ids[-1]]  # the newest
    notifier.close()
    assert not notifier.tray.isVisible()


def test_a_click_selects_the_conversation_in_the_window(
    qtbot: QtBot, main_window: MainWindow, seen_workspace: Workspace
) -> None:
    notifier = notifier_for(seen_workspace, main_window, tray=True)
    notifier.activated.connect(main_window.select_conversation)
    ids = answer(seen_workspace, 2)
    notifier.on_synced(report(pulled=2))
    assert notifier.last_text is not None and len(notifier.last_text.splitlines()) == 2
    main_window.refresh()
    assert notifier.tray is not None
    notifier.tray.messageClicked.emit()
    assert main_window.selected_conversation_id() == ids[-1]


def test_notifications_never_carry_patient_data(
    main_window: MainWindow, seen_workspace: Workspace
) -> None:
    notifier = notifier_for(seen_workspace, main_window, tray=False)
    ids = answer(seen_workspace, 3)
    notifier.on_synced(report(pulled=3))
    text = notifier.last_text
    assert text is not None and len(text.splitlines()) == 3
    for conversation_id in ids:
        view = seen_workspace.requests.view(conversation_id)
        assert view.form.patient_nhs_number not in text
        assert view.form.question.splitlines()[0][:30] not in text


def test_a_request_going_overdue_is_flagged_without_a_sync(
    qtbot: QtBot, workspace: Workspace
) -> None:
    clock = [NOW]
    window = QMainWindow()
    qtbot.addWidget(window)
    notifier = Notifier(
        workspace.store, workspace.user, window, tray_available=False, now=lambda: clock[0]
    )
    notifier.check_overdue()  # the first look: what is late already is not news
    assert notifier.last_text is None
    with workspace.store.session() as session:
        cid = session.scalar(
            select(Conversation.id).where(
                Conversation.practice_code == workspace.user.practice_code
            )
        )
        session.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(status="awaiting_specialist", due_at=NOW + timedelta(minutes=30))
        )
    clock[0] = NOW + timedelta(hours=1)
    notifier.check_overdue()
    assert notifier.last_text is not None
    assert notifier.last_text.endswith(": the response is now overdue")
    assert "now overdue" in window.statusBar().currentMessage()
