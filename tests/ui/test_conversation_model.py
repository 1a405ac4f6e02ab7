"""The conversation table model: SQL order and filters, lazy pages, overdue marks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bhcp_ag.domain.conversation import Status
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation, Specialty
from bhcp_ag.ui import conversation_model
from bhcp_ag.ui.conversation_model import (
    ID_ROLE,
    OVERDUE_COLOUR,
    OVERDUE_ROLE,
    OVERDUE_STATUSES,
    STATUS_ROLE,
    Column,
    ConversationTableModel,
)
from bhcp_ag.ui.formatting import time_left, working_duration

EVERYTHING = ConversationFilter()


@pytest.fixture
def model(ui_store: Store, now: datetime) -> ConversationTableModel:
    return ConversationTableModel(ui_store, EVERYTHING, lambda: now)


def shown_ids(model: ConversationTableModel) -> list[str]:
    return [model.conversation_id(row) for row in range(model.rowCount())]


def direct_order(session: Session, column: Column, descending: bool) -> list[str]:
    """The order a column click should give, written out without the store's helpers."""
    sort_column = {
        Column.STATUS: Conversation.status,
        Column.SPECIALTY: Specialty.short_name,
        Column.PRIORITY: Conversation.priority,
        Column.PATIENT: Conversation.patient_nhs_number,
        Column.SUBMITTED: Conversation.submitted_at,
        Column.DUE: Conversation.due_at,
        Column.NEXT_ACTION: Conversation.due_at,
    }[column]
    query = select(Conversation.id).join(
        Specialty, Specialty.tfc_code == Conversation.specialty_code
    )
    direction = sort_column.desc() if descending else sort_column.asc()
    # Ties go by id in the same direction (so SQLite reads the (column, id) index).
    tie = Conversation.id.desc() if descending else Conversation.id.asc()
    query = query.order_by(sort_column.is_(None), direction, tie)
    return list(session.scalars(query))


def direct_count(session: Session, *conditions: object) -> int:
    query = select(func.count()).select_from(Conversation).where(*conditions)  # type: ignore[arg-type]
    return session.scalar(query) or 0


def test_the_model_passes_the_qt_model_tester(
    qtmodeltester: ModelTester, model: ConversationTableModel
) -> None:
    assert model.rowCount() > 200
    qtmodeltester.check(model)  # Qt's own QAbstractItemModelTester
    qtmodeltester.check(model, force_py=True)  # and pytest-qt's Python port


def test_a_filtered_and_sorted_model_passes_the_qt_model_tester(
    qtmodeltester: ModelTester, ui_store: Store, gp_scope: ConversationFilter, now: datetime
) -> None:
    model = ConversationTableModel(ui_store, gp_scope, lambda: now)
    model.sort(Column.DUE, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model, force_py=True)


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("column", [c for c in Column if c.sort_key is not None], ids=str)
def test_sorting_by_a_column_gives_the_sql_order(
    model: ConversationTableModel, ui_store: Store, column: Column, descending: bool
) -> None:
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    model.sort(column, order)
    with ui_store.read_session() as session:
        assert shown_ids(model) == direct_order(session, column, descending)


def test_sorting_by_status_shows_the_statuses_in_order(model: ConversationTableModel) -> None:
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
    statuses = [model.index(row, 0).data(STATUS_ROLE) for row in range(model.rowCount())]
    assert statuses == sorted(statuses)
    assert len(set(statuses)) > 3


@pytest.mark.parametrize("column", [Column.QUESTION, Column.CLAIMED_BY], ids=str)
def test_a_column_without_an_sql_order_leaves_the_order_alone(
    model: ConversationTableModel, column: Column
) -> None:
    model.sort(Column.PATIENT, Qt.SortOrder.AscendingOrder)
    before = shown_ids(model)
    model.sort(column, Qt.SortOrder.AscendingOrder)
    assert shown_ids(model) == before


def test_sorting_by_minus_one_restores_most_recently_changed_first(
    model: ConversationTableModel, ui_store: Store
) -> None:
    model.sort(Column.PATIENT, Qt.SortOrder.AscendingOrder)
    model.sort(-1, Qt.SortOrder.AscendingOrder)
    with ui_store.read_session() as session:
        newest = session.scalar(
            select(Conversation.id).order_by(Conversation.updated_at.desc(), Conversation.id)
        )
    assert model.conversation_id(0) == newest


def test_filtering_by_status_counts_as_sql_does(
    model: ConversationTableModel, ui_store: Store
) -> None:
    with ui_store.read_session() as session:
        for status in (Status.CLOSED, Status.AWAITING_SPECIALIST, Status.DRAFT):
            model.set_filter(ConversationFilter(statuses=(status.value,)))
            assert model.rowCount() == direct_count(session, Conversation.status == status)
            assert model.rowCount() > 0


def test_filtering_by_specialty_counts_as_sql_does(
    model: ConversationTableModel, ui_store: Store
) -> None:
    model.set_filter(ConversationFilter(specialty_codes=("330",)))
    with ui_store.read_session() as session:
        assert model.rowCount() == direct_count(session, Conversation.specialty_code == "330")
    assert {model.index(r, Column.SPECIALTY).data() for r in range(model.rowCount())} == {
        "Dermatology"
    }


def test_filtering_overdue_marks_and_counts_every_late_open_row(
    model: ConversationTableModel, ui_store: Store, now: datetime
) -> None:
    model.set_filter(ConversationFilter(statuses=OVERDUE_STATUSES, overdue_at=now))
    with ui_store.read_session() as session:
        late = direct_count(
            session, Conversation.status.in_(OVERDUE_STATUSES), Conversation.due_at < now
        )
    assert model.rowCount() == late > 0
    for row in range(model.rowCount()):
        assert model.index(row, 0).data(OVERDUE_ROLE) is True
        assert model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) == OVERDUE_COLOUR
        assert model.index(row, Column.NEXT_ACTION).data().endswith("overdue")


def test_answered_and_closed_rows_are_never_marked_overdue(model: ConversationTableModel) -> None:
    model.set_filter(ConversationFilter(statuses=(Status.CLOSED.value,)))
    assert model.rowCount() > 0
    assert not any(model.index(r, 0).data(OVERDUE_ROLE) for r in range(model.rowCount()))
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None


def test_searching_digits_finds_nhs_numbers_and_words_find_questions(
    model: ConversationTableModel, ui_store: Store
) -> None:
    number = model.index(0, Column.PATIENT).data().replace(" ", "")
    model.set_filter(ConversationFilter(text=number[:6]))
    with ui_store.read_session() as session:
        expected = direct_count(session, Conversation.patient_nhs_number.startswith(number[:6]))
        assert model.rowCount() == expected >= 1
        model.set_filter(ConversationFilter(text="isotretinoin"))
        words = direct_count(session, Conversation.question.icontains("isotretinoin"))
    assert model.rowCount() == words > 0
    assert all(
        "isotretinoin" in model.index(r, Column.QUESTION).data(Qt.ItemDataRole.ToolTipRole).lower()
        for r in range(model.rowCount())
    )


def test_filters_combine_with_the_users_scope(
    ui_store: Store, gp_scope: ConversationFilter, now: datetime
) -> None:
    model = ConversationTableModel(ui_store, gp_scope, lambda: now)
    closed = dataclasses.replace(gp_scope, statuses=(Status.CLOSED.value,))
    model.set_filter(closed)
    with ui_store.read_session() as session:
        expected = direct_count(
            session,
            Conversation.practice_code == gp_scope.practice_code,
            Conversation.status == Status.CLOSED,
        )
    assert model.rowCount() == expected > 0


def test_rows_load_lazily_in_pages(
    ui_store: Store, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversation_model, "PAGE_SIZE", 20)
    monkeypatch.setattr(conversation_model, "MAX_CACHED_PAGES", 3)
    model = ConversationTableModel(ui_store, EVERYTHING, lambda: now)
    assert model.rowCount() == 300
    assert model.cached_pages == 0  # opening reads ids only
    model.index(0, 0).data()
    model.index(19, 0).data()
    assert model.cached_pages == 1
    model.index(250, 0).data()
    assert model.cached_pages == 2
    for row in range(0, 300, 20):
        model.index(row, 0).data()
    assert model.cached_pages == 3  # bounded: the least recently used pages are dropped


def test_every_row_has_its_id_and_text(model: ConversationTableModel) -> None:
    ids = shown_ids(model)
    assert [model.index(r, 0).data(ID_ROLE) for r in range(len(ids))] == ids
    assert all(model.index(r, Column.STATUS).data() for r in range(len(ids)))


def test_refresh_shows_a_newly_saved_draft(
    workspace: Workspace, gp_scope: ConversationFilter, now: datetime
) -> None:
    model = ConversationTableModel(workspace.store, gp_scope, lambda: now)
    before = model.rowCount()
    form = AdviceRequestForm(specialty_code="330", question="A new draft")
    draft_id = workspace.requests.save_draft(workspace.user.id, form)
    model.refresh()
    assert model.rowCount() == before + 1
    assert model.conversation_id(0) == draft_id  # the newest change comes first
    assert model.index(0, Column.STATUS).data() == "Draft"
    assert model.row_of(draft_id) == 0


def test_time_left_is_counted_in_working_time() -> None:
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert time_left(datetime(2026, 11, 24, 13, 0, tzinfo=UTC), monday) == "due in 1 d 3 h"
    assert time_left(datetime(2026, 11, 23, 6, 0, tzinfo=UTC), monday) == "2 h overdue"
    friday_close = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert time_left(friday_close, saturday) == "overdue"  # no working time since
    assert working_duration(0.5 / 10.5) == "30 min"
