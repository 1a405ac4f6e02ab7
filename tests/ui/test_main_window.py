"""The main window: title, filters, the conversation view, drafts and saved geometry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot
from sqlalchemy import and_, func, or_, select, update

from bhcp_ag.domain.conversation import AdviceUseful, ClosingOutcome, Status
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.domain.urgency import escalated_if_due_before
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.store.models import Conversation
from bhcp_ag.sync.report import SyncState, SyncStatus
from bhcp_ag.ui.conversation_model import (
    OVERDUE_ROLE,
    OVERDUE_STATUSES,
    QUESTION_ACTION,
    REFERRAL_ACTION,
    STATUS_ROLE,
    Column,
)
from bhcp_ag.ui.formatting import APP_DISPLAY_NAME
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm
from tests.forms import DERMATOLOGY


def count_in_scope(workspace: Workspace, *conditions: object) -> int:
    practice = workspace.user.practice_code
    query = select(func.count()).where(Conversation.practice_code == practice, *conditions)  # type: ignore[arg-type]
    with workspace.store.read_session() as session:
        return session.scalar(query) or 0


def test_the_title_names_the_user_and_role(main_window: MainWindow) -> None:
    assert main_window.windowTitle() == "Dr Amelia Hart (GP) — Advice and Guidance"
    # As the desktop shows it: Qt appends the display name unless the title ends with it.
    title = main_window.windowTitle()
    shown = title if title.endswith(APP_DISPLAY_NAME) else f"{title} — {APP_DISPLAY_NAME}"
    assert shown.count(APP_DISPLAY_NAME) == 1


def test_new_request_is_on_the_toolbar_with_ctrl_n(main_window: MainWindow) -> None:
    action = main_window.new_request_action
    assert action.text() == "&New advice request"
    assert action.shortcut() == QKeySequence("Ctrl+N")
    assert action.isEnabled()


def test_a_gp_starts_on_open_and_recent_conversations(
    main_window: MainWindow, workspace: Workspace, now: datetime
) -> None:
    assert main_window.filter_bar.status.currentText() == "Open and recent"
    month_ago = now - timedelta(days=30)
    still_open = [s.value for s in Status if s.is_open]
    recent = count_in_scope(
        workspace,
        or_(Conversation.status.in_(still_open), Conversation.closed_at >= month_ago),
    )
    assert main_window.model.rowCount() == recent < count_in_scope(workspace)


def test_the_status_bar_counts_conversations_and_waiting_changes(
    main_window: MainWindow, workspace: Workspace
) -> None:
    main_window.filter_bar.status.setCurrentIndex(0)  # All
    total = count_in_scope(workspace)
    assert main_window.model.rowCount() == total > 0
    assert main_window.count_label.text() == f"{total} conversations"
    assert main_window.sync_label.text() == "0 changes waiting to sync"


def test_a_status_read_before_a_change_does_not_say_nothing_waits(
    main_window: MainWindow, workspace: Workspace
) -> None:
    """The sync worker's status arrives queued: one read just before the GP's reply was
    queued said "nothing waiting", and the window showed the reply as synced."""
    main_window.filter_bar.status.setCurrentIndex(0)
    stale = SyncStatus(SyncState.SYNCED, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), 0)
    workspace.requests.submit(workspace.user.id, DERMATOLOGY)  # queued here, not yet sent

    main_window.show_sync_status(stale)

    assert main_window.sync_status.status.changes_waiting == 1
    assert "1 change waiting" in main_window.sync_status.text()


def test_opening_loads_only_the_first_page_of_rows(main_window: MainWindow) -> None:
    assert main_window.model.cached_pages == 1


def test_choosing_a_status_filters_the_list(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace
) -> None:
    combo = main_window.filter_bar.status
    combo.setCurrentIndex(combo.findText(Status.CLOSED.label))
    closed = count_in_scope(workspace, Conversation.status == Status.CLOSED)
    assert main_window.model.rowCount() == closed > 0
    assert main_window.count_label.text() == f"{closed} conversations"
    combo.setCurrentIndex(combo.findText("Open"))
    open_statuses = [s.value for s in Status if s.is_open]
    assert main_window.model.rowCount() == count_in_scope(
        workspace, Conversation.status.in_(open_statuses)
    )


def test_choosing_a_specialty_filters_the_list(
    main_window: MainWindow, workspace: Workspace
) -> None:
    main_window.filter_bar.status.setCurrentIndex(0)  # All
    combo = main_window.filter_bar.specialty
    assert combo.count() == 25  # All and the 24 specialties
    combo.setCurrentIndex(combo.findData("330"))
    dermatology = count_in_scope(workspace, Conversation.specialty_code == "330")
    assert main_window.model.rowCount() == dermatology > 0


def test_overdue_only_shows_the_late_requests(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace, now: datetime
) -> None:
    qtbot.mouseClick(main_window.filter_bar.overdue, Qt.MouseButton.LeftButton)
    late = count_in_scope(
        workspace, Conversation.status.in_(OVERDUE_STATUSES), Conversation.due_at < now
    )
    model = main_window.model
    assert model.rowCount() == late
    assert all(model.index(row, 0).data(OVERDUE_ROLE) for row in range(model.rowCount()))
    closed = main_window.filter_bar.status
    closed.setCurrentIndex(closed.findText(Status.CLOSED.label))
    assert model.rowCount() == 0  # a closed conversation is never late


def test_the_search_box_filters_after_a_pause_in_typing(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace
) -> None:
    model = main_window.model
    number = model.index(0, Column.PATIENT).data().split(" · ")[0].replace(" ", "")
    search = main_window.filter_bar.search
    qtbot.keyClicks(search, number)
    assert model.filter.text == ""  # not yet: the list waits for the typing to stop
    qtbot.waitUntil(lambda: model.filter.text == number)
    expected = count_in_scope(workspace, Conversation.patient_nhs_number == number)
    assert model.rowCount() == expected >= 1
    search.clear()
    qtbot.keyClicks(search, "isotretinoin")
    qtbot.waitUntil(lambda: model.filter.text == "isotretinoin")
    assert model.rowCount() == count_in_scope(
        workspace, Conversation.question.icontains("isotretinoin")
    )


def test_selecting_a_row_shows_the_conversation(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace
) -> None:
    status = main_window.filter_bar.status
    status.setCurrentIndex(status.findText(Status.CLOSED.label))
    model = main_window.model
    index = model.index(0, Column.QUESTION)
    qtbot.mouseClick(
        main_window.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=main_window.table.visualRect(index).center(),
    )
    conversation_id = model.conversation_id(0)
    assert main_window.selected_conversation_id() == conversation_id
    view = workspace.requests.view(conversation_id)
    text = main_window.viewer.toPlainText()
    assert view.form.question.splitlines()[0] in text
    nhs = view.form.patient_nhs_number
    assert f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" in text
    assert "Closed" in text
    assert "Messages" in text
    assert view.messages[-1].body.splitlines()[0] in text


def test_the_view_escapes_what_people_typed(main_window: MainWindow, workspace: Workspace) -> None:
    question = "Is <b>this</b> & that <script>alert(1)</script> normal?"
    form = AdviceRequestForm(specialty_code="330", question=question)
    draft_id = workspace.requests.save_draft(workspace.user.id, form)
    main_window.refresh()
    assert main_window.select_conversation(draft_id)
    assert question in main_window.viewer.toPlainText()
    assert "<script>" not in main_window.viewer.toHtml()


def test_double_clicking_a_draft_reopens_it(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace
) -> None:
    form = AdviceRequestForm(specialty_code="410", question="Draft about joint pain")
    draft_id = workspace.requests.save_draft(workspace.user.id, form)
    main_window.refresh()
    row = main_window.model.row_of(draft_id)
    assert row is not None
    table = main_window.table
    centre = table.visualRect(main_window.model.index(row, Column.QUESTION)).center()
    # A real double click is a click, then the double-click event (QTest sends only that).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    dialogs = main_window.findChildren(RequestForm)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in dialogs))
    opened = next(d for d in dialogs if d.isVisible())
    assert opened.conversation_id == draft_id
    assert opened.fields.texts["question"].value() == "Draft about joint pain"
    assert opened.specialty.code() == "410"


def test_return_on_a_selected_draft_reopens_it(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace
) -> None:
    form = AdviceRequestForm(specialty_code="330", question="Draft opened from the keyboard")
    draft_id = workspace.requests.save_draft(workspace.user.id, form)
    main_window.refresh()
    assert main_window.select_conversation(draft_id)
    main_window.table.setFocus()
    qtbot.keyClick(main_window.table, Qt.Key.Key_Return)
    dialogs = main_window.findChildren(RequestForm)
    assert [d.conversation_id for d in dialogs if d.isVisible()] == [draft_id]


def test_sorting_by_a_header_click_keeps_the_selection(
    qtbot: QtBot, main_window: MainWindow
) -> None:
    model = main_window.model
    chosen = model.conversation_id(3)
    assert main_window.select_conversation(chosen)
    header = main_window.table.horizontalHeader()
    main_window.resize(1400, 800)  # room for the patient column beside the question
    qtbot.waitUntil(lambda: not header.isSectionHidden(Column.PATIENT))
    x = header.sectionViewportPosition(Column.PATIENT) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert header.sortIndicatorSection() == Column.PATIENT
    numbers = [model.index(r, Column.PATIENT).data() for r in range(model.rowCount())]
    assert numbers == sorted(numbers)
    assert main_window.selected_conversation_id() == chosen


def test_window_geometry_is_saved_and_restored(
    qtbot: QtBot, workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    first = MainWindow(workspace, settings=settings, now=lambda: now)
    qtbot.addWidget(first)
    first.show()
    first.resize(first.minimumSizeHint().width() + 11, 502)
    first.filter_bar.overdue.setChecked(True)
    first.close()
    second = MainWindow(workspace, settings=settings, now=lambda: now)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (first.width(), 502)
    assert second.filter_bar.overdue.isChecked()
    assert second.model.filter.overdue_at == now


def test_a_specialist_sees_only_their_specialties_and_cannot_write_requests(
    qtbot: QtBot, specialist_workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    specialist = specialist_workspace.user
    window = MainWindow(specialist_workspace, settings=settings, now=lambda: now)
    qtbot.addWidget(window)
    assert "(Specialist)" in window.windowTitle()
    assert not window.new_request_action.isEnabled()
    codes = [window.filter_bar.specialty.itemData(i) for i in range(1, 3)]
    assert sorted(codes) == sorted(specialist.specialty_codes)
    open_statuses = tuple(s.value for s in Status if s.is_open)  # a queue starts on "Open"
    assert window.model.filter == ConversationFilter(
        specialty_codes=specialist.specialty_codes, statuses=open_statuses, viewer_id=specialist.id
    )


def test_a_recommended_referral_stays_on_the_gps_list_as_action_needed(
    qtbot: QtBot, main_window: MainWindow, workspace: Workspace
) -> None:
    """H11: the badge counts it, the filter finds it, the row says so, and only closing
    with what was done (referred, or the GP's reason) takes it off."""
    with workspace.store.session() as session:
        cid = session.scalar(
            select(Conversation.id)
            .where(Conversation.practice_code == workspace.user.practice_code)
            .where(Conversation.status == Status.CLOSED)
            .order_by(Conversation.updated_at)  # an old one, far down a most-recent list
            .limit(1)
        )
        assert cid is not None
        session.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(
                status=Status.ADVICE_RETURNED,
                recommendation="REFERRAL_RECOMMENDED",
                closing_outcome=None,
                closed_at=None,
            )
        )
    with workspace.store.session() as session:  # and a question waiting for the GP
        asked = session.scalar(
            select(Conversation.id)
            .where(Conversation.practice_code == workspace.user.practice_code)
            .where(Conversation.status == Status.CLOSED, Conversation.id != cid)
            .limit(1)
        )
        session.execute(
            update(Conversation)
            .where(Conversation.id == asked)
            .values(status=Status.MORE_INFO_REQUESTED, closing_outcome=None, closed_at=None)
        )
    before = count_in_scope(
        workspace,
        or_(
            Conversation.status == Status.MORE_INFO_REQUESTED,  # a question to answer
            and_(
                Conversation.status == Status.ADVICE_RETURNED,
                Conversation.recommendation == "REFERRAL_RECOMMENDED",
            ),
        ),
    )
    main_window.refresh()
    bar = main_window.filter_bar
    assert bar.gp_actions == before >= 1
    assert bar.action_needed_badge.isVisible()
    assert bar.action_needed_badge.text() == f"{before} action needed"
    qtbot.mouseClick(bar.action_needed_badge, Qt.MouseButton.LeftButton)
    model = main_window.model
    assert bar.action_needed.isChecked() and model.rowCount() == before
    row = model.row_of(cid)
    assert row is not None
    assert model.index(row, Column.NEXT_ACTION).data() == REFERRAL_ACTION
    assert model.index(row, Column.STATUS).data(Qt.ItemDataRole.FontRole).bold()
    questions = [
        r
        for r in range(model.rowCount())
        if model.index(r, 0).data(STATUS_ROLE) == "more_info_requested"
    ]
    assert questions and model.row_of(asked) in questions
    assert all(model.index(r, Column.NEXT_ACTION).data() == QUESTION_ACTION for r in questions)

    panel = main_window.panel
    panel.show_conversation(cid)
    refused = panel.close_conversation(ClosingOutcome.MANAGED_IN_PRIMARY_CARE, AdviceUseful.YES)
    assert not refused and "why the patient is not being referred" in panel.problem.text()
    assert model.row_of(cid) is not None and bar.gp_actions == before
    assert panel.close_conversation(ClosingOutcome.REFERRED, AdviceUseful.YES)
    main_window.refresh()
    assert model.row_of(cid) is None and bar.gp_actions == before - 1


def test_a_specialty_lead_is_shown_what_has_been_escalated_to_them(
    qtbot: QtBot, specialist_workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    """H01: the demo specialist leads dermatology and rheumatology (reference data): the
    requests there overdue by a working day are counted on a badge and listed on a click."""
    window = MainWindow(specialist_workspace, settings=settings, now=lambda: now)
    qtbot.addWidget(window)
    window.show()
    bar = window.filter_bar
    threshold = escalated_if_due_before(now)
    with specialist_workspace.store.read_session() as session:
        expected = session.scalar(
            select(func.count()).where(
                Conversation.status.in_(OVERDUE_STATUSES),
                Conversation.due_at < threshold,
                Conversation.specialty_code.in_(("330", "410")),
            )
        )
    assert bar.escalated_count == expected > 0
    assert bar.escalated_badge.text() == f"{expected} escalated to you"
    qtbot.mouseClick(bar.escalated_badge, Qt.MouseButton.LeftButton)
    model = window.model
    assert model.rowCount() == expected
    lead = "escalated to Dr Rohan Mehta"
    assert all(lead in model.index(r, Column.NEXT_ACTION).data() for r in range(expected))
