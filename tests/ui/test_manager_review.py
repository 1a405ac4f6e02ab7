"""A practice manager's desk shows the review and no more (Caldicott principle 3).

Even a conversation their store kept whole (a colleague's request waiting to be sent on a
shared computer) is shown as a review: no patient column, no question, no patient
details, messages or files, and no specialist workload by name.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bhcp_ag.domain.minimum import REVIEW_NOTE
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.services.workspace import Workspace, load_user
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation, Message
from bhcp_ag.store.reference import DEMO_MANAGER
from bhcp_ag.store.sync_state import CONTENT_KEY, read_state
from bhcp_ag.ui.conversation_model import Column
from bhcp_ag.ui.reports.window import ReportsWindow
from tests.ui.conftest import NOW, shown_window


def _manager(store: Store, catalogue: SpecialtyCatalogue, targets: ResponseTargets) -> Workspace:
    return Workspace.for_user(
        store, load_user(store, DEMO_MANAGER), catalogue, targets, lambda: NOW
    )


def test_a_manager_window_shows_a_review_even_of_a_whole_conversation(
    qtbot: QtBot,
    ui_store: Store,
    catalogue: SpecialtyCatalogue,
    targets: ResponseTargets,
    settings: QSettings,
    now: datetime,
) -> None:
    manager = _manager(ui_store, catalogue, targets)
    window = shown_window(qtbot, manager, settings, now)
    practice = manager.user.practice_code
    window.model.set_filter(ConversationFilter(practice_code=practice))  # older ones too
    listed = {window.model.conversation_id(row) for row in range(window.model.rowCount())}
    with ui_store.read_session() as session:  # the demo store holds whole conversations
        cid, question, nhs, advice = session.execute(
            select(
                Conversation.id,
                Conversation.question,
                Conversation.patient_nhs_number,
                Message.body,
            )
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Conversation.id.in_(listed), Message.kind == "advice")
            .limit(1)
        ).one()
    assert window.table.isColumnHidden(Column.PATIENT)
    window.panel.show_conversation(cid)
    row = window.model.row_of(cid)
    assert row is not None
    assert window.model.index(row, Column.PATIENT).data() == ""
    assert window.model.index(row, Column.QUESTION).data() == "—"
    shown = window.viewer.toPlainText()
    assert question.splitlines()[0][:40] not in shown
    assert nhs[:3] + " " + nhs[3:6] not in shown and nhs not in shown
    assert advice[:40] not in shown
    assert "Review" in shown and REVIEW_NOTE[:60] in " ".join(shown.split())
    assert not window.panel.copy_button.isEnabled()  # nothing clinical to copy


def test_opening_a_managers_window_drops_what_the_store_held_whole(
    ui_store: Store, catalogue: SpecialtyCatalogue, targets: ResponseTargets
) -> None:
    with ui_store.read_session() as session:
        before = session.scalar(select(Conversation.id).limit(1))
        drafts = set(session.scalars(select(Conversation.id).where(Conversation.status == "draft")))
    assert before is not None and drafts
    Workspace.open(ui_store, DEMO_MANAGER, catalogue, targets)
    with ui_store.read_session() as session:
        left = set(session.scalars(select(Conversation.id)))
        assert left == drafts  # a GP's typed, unsent drafts stay theirs (hidden from others)
        assert session.scalar(select(Message.id).limit(1)) is None
        assert read_state(session, CONTENT_KEY) == "review"


def test_the_manager_reports_show_no_specialist_workload(
    qtbot: QtBot,
    ui_store: Store,
    catalogue: SpecialtyCatalogue,
    targets: ResponseTargets,
    organisation: Organisation,
    settings: QSettings,
) -> None:
    manager = _manager(ui_store, catalogue, targets)
    window = ReportsWindow.open_for(None, manager, organisation, lambda: NOW, settings)
    qtbot.addWidget(window)
    assert not window.workload_button.isVisible()
    assert window.workload_button.isHidden()
