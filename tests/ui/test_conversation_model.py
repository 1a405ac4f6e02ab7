"""The conversation table model: SQL order and filters, lazy pages, urgency marks, roles."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bhcp_ag.domain.clock import WORKING_DAY_HOURS, working_time_between
from bhcp_ag.domain.conversation import Role, Status
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.urgency import (
    calendar_span_words,
    due_words,
    escalation_at,
    working_span_words,
)
from bhcp_ag.services.workspace import Workspace, load_user
from bhcp_ag.store.conversations import ConversationFilter, SortKey, list_ids
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation, Practice, Specialty
from bhcp_ag.store.reference import DEMO_SPECIALIST
from bhcp_ag.ui import conversation_model
from bhcp_ag.ui.conversation_model import (
    ID_ROLE,
    NEARLY_DUE_COLOUR,
    NEARLY_DUE_MARK,
    NEARLY_DUE_ROLE,
    OVERDUE_COLOUR,
    OVERDUE_ROLE,
    OVERDUE_STATUSES,
    STATUS_ROLE,
    Column,
    ConversationTableModel,
    default_sort_for,
)

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
        Column.PRACTICE: Practice.name,
        Column.PRIORITY: Conversation.priority,
        Column.PATIENT: Conversation.patient_nhs_number,
        Column.SUBMITTED: Conversation.submitted_at,
        Column.DUE: Conversation.due_at,
        Column.NEXT_ACTION: Conversation.due_at,
        Column.AGE: Conversation.submitted_at,
    }[column]
    query = (
        select(Conversation.id)
        .join(Specialty, Specialty.tfc_code == Conversation.specialty_code)
        .join(Practice, Practice.code == Conversation.practice_code)
    )
    if column is Column.AGE:  # the youngest request is the one sent last
        descending = not descending
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


@pytest.mark.parametrize("column", [Column.QUESTION, Column.CLAIMED_BY, Column.WAITING], ids=str)
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
    tomorrow = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert due_words(tomorrow, monday) == "due in 1 working day 3 h"
    assert due_words(datetime(2026, 11, 23, 6, 0, tzinfo=UTC), monday) == "2 working hours overdue"
    friday_close = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert due_words(friday_close, saturday) == "overdue"  # no working time since
    assert working_span_words(timedelta(minutes=30)) == "30 working minutes"


# --- roles, urgency and the new columns ---------------------------------------------------


def _make_awaiting(store: Store, due_at: datetime) -> str:
    """Turn the first closed conversation into one awaiting the specialist, due at ``due_at``."""
    with store.session() as session:
        conv = session.scalars(
            select(Conversation).where(Conversation.status == Status.CLOSED).limit(1)
        ).one()
        conv.status = Status.AWAITING_SPECIALIST.value
        conv.due_at = due_at
        conv.closed_at = None
        return conv.id


def test_default_order_by_role() -> None:
    assert default_sort_for(Role.SPECIALIST) == (SortKey.QUEUE, False)
    for role in (Role.GP, Role.PRACTICE_MANAGER, Role.ADMIN):
        assert default_sort_for(role) == (SortKey.UPDATED, True)


def test_a_specialists_model_starts_and_resets_to_the_queue_order(
    ui_store: Store, workspace: Workspace, now: datetime
) -> None:
    specialist = load_user(ui_store, DEMO_SPECIALIST)
    scope = specialist.list_scope()
    model = ConversationTableModel(
        ui_store, scope, lambda: now, default_sort=default_sort_for(Role.SPECIALIST)
    )
    with ui_store.read_session() as session:
        queue = list_ids(session, scope, SortKey.QUEUE, descending=False)
    assert shown_ids(model) == queue
    assert model.sort_order == (SortKey.QUEUE, False)
    model.sort(Column.PATIENT, Qt.SortOrder.AscendingOrder)
    model.sort(-1, Qt.SortOrder.DescendingOrder)
    assert shown_ids(model) == queue
    overdue = [model.index(r, 0).data(OVERDUE_ROLE) for r in range(model.rowCount())]
    assert overdue[0] is True  # the late ones lead the queue...
    first_on_time = overdue.index(False)
    assert not any(overdue[first_on_time:])  # ...all of them together


def test_the_queue_model_passes_the_qt_model_tester(
    qtmodeltester: ModelTester, ui_store: Store, now: datetime
) -> None:
    model = ConversationTableModel(
        ui_store, EVERYTHING, lambda: now, default_sort=(SortKey.QUEUE, False)
    )
    qtmodeltester.check(model, force_py=True)


def test_a_request_due_within_four_working_hours_is_marked_nearly_due(
    ui_store: Store, now: datetime
) -> None:
    soon = _make_awaiting(ui_store, now + timedelta(hours=3))
    model = ConversationTableModel(ui_store, EVERYTHING, lambda: now)
    row = model.row_of(soon)
    assert row is not None
    index = model.index(row, Column.NEXT_ACTION)
    assert index.data(NEARLY_DUE_ROLE) is True
    assert index.data(OVERDUE_ROLE) is False
    assert index.data(Qt.ItemDataRole.ForegroundRole) == NEARLY_DUE_COLOUR
    assert index.data() == f"{NEARLY_DUE_MARK} Specialist · due in 3 working hours"
    spoken = index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken == "Nearly due: Specialist · due in 3 working hours"
    assert "within 4 working hours" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_a_request_due_later_or_already_late_is_not_nearly_due(
    ui_store: Store, now: datetime
) -> None:
    later = _make_awaiting(ui_store, now + timedelta(hours=4, minutes=1))
    model = ConversationTableModel(ui_store, EVERYTHING, lambda: now)
    row = model.row_of(later)
    assert row is not None
    assert model.index(row, 0).data(NEARLY_DUE_ROLE) is False
    assert model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    late_rows = [r for r in range(model.rowCount()) if model.index(r, 0).data(OVERDUE_ROLE)]
    assert late_rows
    assert not any(model.index(r, 0).data(NEARLY_DUE_ROLE) for r in late_rows)


def test_nearly_due_moves_on_with_the_clock(ui_store: Store, now: datetime) -> None:
    soon = _make_awaiting(ui_store, now + timedelta(hours=6))
    clock = [now]
    model = ConversationTableModel(ui_store, EVERYTHING, lambda: clock[0])
    row = model.row_of(soon)
    assert row is not None and model.index(row, 0).data(NEARLY_DUE_ROLE) is False
    clock[0] = now + timedelta(hours=3)
    model.refresh_times()
    assert model.index(row, 0).data(NEARLY_DUE_ROLE) is True
    clock[0] = now + timedelta(hours=7)
    model.refresh_times()
    assert model.index(row, 0).data(OVERDUE_ROLE) is True
    assert model.index(row, Column.NEXT_ACTION).data() == "Specialist · 1 working hour overdue"


def test_practice_age_and_waiting_columns(ui_store: Store, now: datetime) -> None:
    model = ConversationTableModel(ui_store, ConversationFilter(statuses=("closed",)), lambda: now)
    conversation_id = model.conversation_id(0)
    with ui_store.read_session() as session:
        conv = session.get_one(Conversation, conversation_id)
        practice = session.get_one(Practice, conv.practice_code)
        assert conv.submitted_at is not None and conv.closed_at is not None
        waited = conv.closed_at - conv.submitted_at
        age = now - conv.submitted_at
    assert model.index(0, Column.PRACTICE).data() == practice.name
    tip = model.index(0, Column.PRACTICE).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == f"{practice.name} ({practice.code})"
    assert model.index(0, Column.WAITING).data() == calendar_span_words(waited)
    assert model.index(0, Column.AGE).data() == calendar_span_words(age, detailed=False)
    assert Column.WAITING.title == "Waiting in A&G"


def test_a_draft_has_no_age_and_has_not_waited(
    workspace: Workspace, gp_scope: ConversationFilter, now: datetime
) -> None:
    form = AdviceRequestForm(specialty_code="330", question="Not sent yet")
    draft_id = workspace.requests.save_draft(workspace.user.id, form)
    model = ConversationTableModel(workspace.store, gp_scope, lambda: now)
    row = model.row_of(draft_id)
    assert row is not None
    assert model.index(row, Column.AGE).data() == "—"
    assert model.index(row, Column.WAITING).data() == "—"


def test_your_own_claims_read_you_and_others_show_who(ui_store: Store, now: datetime) -> None:
    with ui_store.read_session() as session:
        claimed = session.execute(
            select(Conversation.id, Conversation.claimed_by_id)
            .where(Conversation.claimed_by_id.is_not(None))
            .limit(1)
        ).one()
    flt = ConversationFilter(claimed_by_id=claimed.claimed_by_id)
    mine = ConversationTableModel(ui_store, flt, lambda: now, user_id=claimed.claimed_by_id)
    theirs = ConversationTableModel(ui_store, flt, lambda: now, user_id="someone-else")
    row = mine.row_of(claimed.id)
    assert row is not None
    assert mine.index(row, Column.CLAIMED_BY).data() == "You"
    name = theirs.index(row, Column.CLAIMED_BY).data()
    assert name and name != "You"


def test_the_model_counts_the_overdue_in_a_scope(
    model: ConversationTableModel, ui_store: Store, now: datetime
) -> None:
    with ui_store.read_session() as session:
        late = direct_count(
            session, Conversation.status.in_(OVERDUE_STATUSES), Conversation.due_at < now
        )
        dermatology = direct_count(
            session,
            Conversation.specialty_code == "330",
            Conversation.status.in_(OVERDUE_STATUSES),
            Conversation.due_at < now,
        )
    assert model.count_overdue(EVERYTHING) == late > dermatology
    assert model.count_overdue(ConversationFilter(specialty_codes=("330",))) == dermatology


def _no_query(*_args: object) -> list[list[str]]:
    raise AssertionError("the ids were queried again")


@pytest.mark.parametrize("first", [False, True], ids=["ascending-first", "descending-first"])
@pytest.mark.parametrize("column", [c for c in Column if c.sort_key is not None], ids=str)
def test_turning_an_order_round_reverses_the_ids_read_with_ties_in_the_sql_order(
    model: ConversationTableModel,
    ui_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    column: Column,
    first: bool,
) -> None:
    """A column clicked again shows the ids it read, reversed, without a query: the same
    order as the query would give, ties (by id) and missing due times (last) included."""
    orders = {False: Qt.SortOrder.AscendingOrder, True: Qt.SortOrder.DescendingOrder}
    model.sort(column, orders[first])
    monkeypatch.setattr(conversation_model, "list_id_runs", _no_query)
    model.sort(column, orders[not first])
    with ui_store.read_session() as session:
        assert shown_ids(model) == direct_order(session, column, not first)


def test_a_filter_then_a_sort_shows_the_filtered_rows_in_the_new_order(
    model: ConversationTableModel, ui_store: Store
) -> None:
    awaiting = ConversationFilter(statuses=("awaiting_specialist",))
    model.sort(Column.DUE, Qt.SortOrder.AscendingOrder)
    model.set_filter(awaiting)
    model.sort(Column.DUE, Qt.SortOrder.DescendingOrder)
    with ui_store.read_session() as session:
        expected = [
            i
            for i in direct_order(session, Column.DUE, True)
            if session.get(Conversation, i).status == "awaiting_specialist"  # type: ignore[union-attr]
        ]
    assert expected and shown_ids(model) == expected
    model.set_filter(EVERYTHING)
    with ui_store.read_session() as session:
        assert shown_ids(model) == direct_order(session, Column.DUE, True)


@pytest.mark.parametrize("kind", ["words", "nhs"])
def test_a_search_of_a_list_already_read_narrows_it_in_its_order(
    ui_store: Store, workspace: Workspace, now: datetime, kind: str
) -> None:
    """From the whole list on screen a search keeps the ids it matches, in order; the
    rows and order are the query's, for the plain order and a specialist's queue."""
    specialist = load_user(ui_store, DEMO_SPECIALIST)
    for scope, order in (
        (EVERYTHING, (SortKey.UPDATED, True)),
        (specialist.list_scope(), default_sort_for(Role.SPECIALIST)),
    ):
        model = ConversationTableModel(ui_store, scope, lambda: now, default_sort=order)
        some = model.index(model.rowCount() // 2, Column.PATIENT).data(ID_ROLE)
        with ui_store.read_session() as session:
            chosen = session.get(Conversation, some)
            assert chosen is not None
            text = chosen.patient_nhs_number[:5] if kind == "nhs" else chosen.question.split()[1]
            searched = dataclasses.replace(scope, text=text)
            expected = list_ids(session, searched, *order)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(conversation_model, "list_id_runs", _no_query)
            model.set_filter(searched)
        assert some in shown_ids(model)
        assert 0 < len(expected) < len(list_ids_of(ui_store, scope, order))
        assert shown_ids(model) == expected


def list_ids_of(store: Store, scope: ConversationFilter, order: tuple[SortKey, bool]) -> list[str]:
    with store.read_session() as session:
        return list_ids(session, scope, *order)


def test_refresh_reads_again_the_lists_kept_for_going_back(
    model: ConversationTableModel, ui_store: Store
) -> None:
    """Going back to a filter shows the ids kept from before, until a refresh (after a
    save or a sync) drops them: then the change shows there too."""
    awaiting = ConversationFilter(statuses=("awaiting_specialist",))
    model.set_filter(awaiting)
    before = set(shown_ids(model))
    model.set_filter(EVERYTHING)
    with ui_store.session() as session:
        moved = session.scalars(
            select(Conversation).where(Conversation.status == "closed").limit(1)
        ).one()
        moved.status = "awaiting_specialist"
        moved_id = moved.id
    model.set_filter(awaiting)
    assert set(shown_ids(model)) == before  # the kept snapshot, as read
    model.set_filter(EVERYTHING)
    model.refresh()
    model.set_filter(awaiting)
    assert set(shown_ids(model)) == before | {moved_id}


def test_an_overdue_request_is_escalated_to_the_specialty_lead_a_working_day_later(
    ui_store: Store, catalogue: SpecialtyCatalogue, now: datetime
) -> None:
    """H01: overdue by a further working day, a request names the specialty's lead (from
    the reference data), who counts it; a request overdue for less does not."""
    leads = {s.tfc_code: s.lead_name for s in catalogue.all()}
    clock = {"now": now}
    model = ConversationTableModel(ui_store, EVERYTHING, lambda: clock["now"], leads=leads)
    late = ConversationFilter(statuses=OVERDUE_STATUSES, overdue_at=now)
    model.set_filter(late)
    escalated, merely_late = 0, 0
    for row in range(model.rowCount()):
        cid = model.conversation_id(row)
        with ui_store.read_session() as session:
            conv = session.get(Conversation, cid)
            assert conv is not None and conv.due_at is not None
            due, code = conv.due_at, conv.specialty_code
        text = model.index(row, Column.NEXT_ACTION).data()
        tip = model.index(row, Column.NEXT_ACTION).data(Qt.ItemDataRole.ToolTipRole)
        if working_time_between(due, now) >= timedelta(hours=WORKING_DAY_HOURS):
            escalated += 1
            assert f"escalated to {leads[code]}" in text and leads[code] in tip
        else:
            merely_late += 1
            assert "escalated" not in text
    assert escalated > 0 and merely_late >= 0
    assert model.count_escalated(ConversationFilter()) == escalated

    # One request, watched as the clock passes its escalation time.
    model.set_filter(ConversationFilter(statuses=OVERDUE_STATUSES))
    cid = model.conversation_id(0)
    with ui_store.session() as session:
        conv = session.get(Conversation, cid)
        assert conv is not None
        conv.due_at = now - timedelta(hours=1)
        code = conv.specialty_code
    escalates = escalation_at(now - timedelta(hours=1))
    for moment, named in ((escalates - timedelta(seconds=1), False), (escalates, True)):
        clock["now"] = moment
        model.refresh()
        row = model.row_of(cid)
        assert row is not None
        shown = model.index(row, Column.NEXT_ACTION).data()
        assert (f"escalated to {leads[code]}" in shown) is named, (moment, shown)
