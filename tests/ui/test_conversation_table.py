"""The conversation list's view: role defaults, column layouts old and new, sort marks."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtWidgets import QHeaderView, QTableView
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.conversation import Role
from bhcp_ag.store.conversations import ConversationFilter
from bhcp_ag.store.db import Store
from bhcp_ag.ui.conversation_model import Column, ConversationTableModel, default_sort_for
from bhcp_ag.ui.conversation_table import (
    COLUMN_WIDTHS,
    COMPACT_WIDTHS,
    LEGACY_COLUMN_COUNT,
    QUESTION_MIN_WIDTH,
    VISUAL_ORDER,
    ConversationTable,
    columns_for,
    fit_to_room,
)


def make_table(
    qtbot: QtBot, store: Store, now: datetime, role: Role = Role.GP
) -> ConversationTable:
    model = ConversationTableModel(
        store, ConversationFilter(), lambda: now, default_sort=default_sort_for(role)
    )
    table = ConversationTable(model, role)
    model.setParent(table)
    qtbot.addWidget(table)
    table.resize(1400, 600)
    table.show()
    qtbot.waitExposed(table)
    return table


def shown(table: QTableView) -> list[Column]:
    header = table.horizontalHeader()
    order = [Column(header.logicalIndex(v)) for v in range(header.count())]
    return [c for c in order if not header.isSectionHidden(c)]


def test_every_column_has_a_width_and_a_place() -> None:
    assert set(COLUMN_WIDTHS) == set(Column) == set(VISUAL_ORDER)


@pytest.mark.parametrize(
    ("role", "hidden"),
    [
        (Role.GP, {Column.CLAIMED_BY, Column.PRACTICE, Column.AGE, Column.SUBMITTED}),
        (
            Role.PRACTICE_MANAGER,  # no patient column: their desk holds no patient details
            {Column.CLAIMED_BY, Column.PRACTICE, Column.AGE, Column.SUBMITTED, Column.PATIENT},
        ),
        (Role.SPECIALIST, {Column.WAITING, Column.SUBMITTED}),
        (Role.ADMIN, {Column.AGE}),
    ],
    ids=str,
)
def test_each_role_starts_with_its_columns(
    qtbot: QtBot, ui_store: Store, now: datetime, role: Role, hidden: set[Column]
) -> None:
    assert columns_for(role).hidden == hidden
    table = make_table(qtbot, ui_store, now, role)
    assert shown(table) == [c for c in VISUAL_ORDER if c not in hidden]
    assert list(columns_for(role).shown) == shown(table)
    header = table.horizontalHeader()
    table.resize(1600, 600)
    for column in shown(table):  # room for all at 1600 px; the question takes what is left
        wanted = QUESTION_MIN_WIDTH if column is Column.QUESTION else COLUMN_WIDTHS[column]
        assert header.sectionSize(column) >= wanted
    assert header.sectionResizeMode(Column.QUESTION) == QHeaderView.ResizeMode.Stretch
    assert COLUMN_WIDTHS[Column.QUESTION] == max(COLUMN_WIDTHS.values())  # read the most


def test_gps_see_the_wait_and_specialists_the_practice_and_age(
    qtbot: QtBot, ui_store: Store, now: datetime
) -> None:
    gp = shown(make_table(qtbot, ui_store, now, Role.GP))
    specialist = shown(make_table(qtbot, ui_store, now, Role.SPECIALIST))
    assert Column.WAITING in gp and Column.NEXT_ACTION in gp and Column.DUE in gp
    assert {Column.PRACTICE, Column.AGE, Column.CLAIMED_BY} <= set(specialist)


def test_the_table_is_built_for_100000_rows(qtbot: QtBot, ui_store: Store, now: datetime) -> None:
    table = make_table(qtbot, ui_store, now)
    assert table.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert table.accessibleName() == "Conversations"
    assert table.horizontalHeader().sectionsMovable()
    assert table.horizontalHeader().sortIndicatorSection() == -1


def test_a_saved_layout_comes_back(qtbot: QtBot, ui_store: Store, now: datetime) -> None:
    first = make_table(qtbot, ui_store, now, Role.SPECIALIST)
    header = first.horizontalHeader()
    header.setSectionHidden(Column.PRACTICE, True)
    header.resizeSection(Column.PATIENT, 171)
    header.moveSection(header.visualIndex(Column.DUE), 0)
    saved = first.save_columns()
    second = make_table(qtbot, ui_store, now, Role.SPECIALIST)
    assert second.restore_columns(saved)
    assert shown(second) == shown(first)
    assert second.horizontalHeader().sectionSize(Column.PATIENT) == 171


def test_a_layout_saved_before_the_new_columns_gets_the_role_defaults_for_them(
    qtbot: QtBot, ui_store: Store, now: datetime
) -> None:
    # A header state as the window saved it with nine columns, claimed by shown.
    old = QTableView()
    qtbot.addWidget(old)
    model = ConversationTableModel(ui_store, ConversationFilter(), lambda: now)
    old.setModel(model)
    old_header = old.horizontalHeader()
    old_header.setSectionsMovable(True)
    for column in (Column.PRACTICE, Column.AGE, Column.WAITING):
        old_header.hideSection(column)
    old_header.resizeSection(Column.STATUS, 190)
    old_header.moveSection(old_header.visualIndex(Column.PATIENT), 0)
    assert LEGACY_COLUMN_COUNT == Column.PRACTICE
    legacy = QByteArray(old_header.saveState())
    table = make_table(qtbot, ui_store, now, Role.GP)
    assert table.restore_columns(legacy)
    columns = shown(table)
    assert columns[0] is Column.PATIENT  # the user's own order...
    assert table.horizontalHeader().sectionSize(Column.STATUS) == 190
    assert Column.CLAIMED_BY in columns  # ...and choices are kept
    assert Column.WAITING in columns  # a new column a GP sees by default
    assert Column.PRACTICE not in columns and Column.AGE not in columns
    assert columns.index(Column.WAITING) == columns.index(Column.SUBMITTED) + 1


def test_a_layout_that_is_not_one_is_refused(qtbot: QtBot, ui_store: Store, now: datetime) -> None:
    table = make_table(qtbot, ui_store, now, Role.GP)
    before = shown(table)
    assert not table.restore_columns(None)
    assert not table.restore_columns(QByteArray(b"not a header state"))
    assert shown(table) == before


def test_reset_columns_goes_back_to_the_role_defaults(
    qtbot: QtBot, ui_store: Store, now: datetime
) -> None:
    table = make_table(qtbot, ui_store, now, Role.SPECIALIST)
    header = table.horizontalHeader()
    header.setSectionHidden(Column.QUESTION, True)
    header.moveSection(header.visualIndex(Column.CLAIMED_BY), 0)
    table.reset_columns()
    assert shown(table) == list(columns_for(Role.SPECIALIST).shown)


def test_a_click_on_a_column_without_an_sql_order_keeps_the_sort_mark(
    qtbot: QtBot, ui_store: Store, now: datetime
) -> None:
    table = make_table(qtbot, ui_store, now, Role.SPECIALIST)
    table.setSortingEnabled(True)
    header = table.horizontalHeader()

    def click(column: Column) -> None:
        x = header.sectionViewportPosition(column) + 10
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    click(Column.PATIENT)
    assert header.sortIndicatorSection() == Column.PATIENT
    click(Column.CLAIMED_BY)
    assert header.sortIndicatorSection() == Column.PATIENT
    click(Column.AGE)
    assert header.sortIndicatorSection() == Column.AGE


def test_on_a_narrow_screen_the_other_columns_give_way_to_the_question(
    qtbot: QtBot, ui_store: Store, now: datetime
) -> None:
    table = make_table(qtbot, ui_store, now, Role.SPECIALIST)
    header = table.horizontalHeader()
    chosen = shown(table)
    table.resize(700, 400)
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width())
    narrow = shown(table)
    assert Column.QUESTION in narrow and Column.NEXT_ACTION in narrow
    assert Column.CLAIMED_BY not in narrow  # the least needed steps aside first
    assert header.sectionSize(Column.QUESTION) >= QUESTION_MIN_WIDTH
    for column in narrow:
        if column is not Column.QUESTION:
            assert header.sectionSize(column) >= COMPACT_WIDTHS[column]
    saved = table.save_columns()  # what was chosen, not what the room allowed
    table.resize(1600, 600)
    qtbot.waitUntil(lambda: shown(table) == chosen)
    assert header.sectionSize(Column.PRACTICE) == COLUMN_WIDTHS[Column.PRACTICE]
    wide = make_table(qtbot, ui_store, now, Role.SPECIALIST)
    wide.resize(1600, 600)
    assert wide.restore_columns(saved)
    assert shown(wide) == chosen


def test_fit_to_room_leaves_out_the_fewest_columns_least_needed_first() -> None:
    preferred = {c: COLUMN_WIDTHS[c] for c in columns_for(Role.SPECIALIST).shown}
    del preferred[Column.QUESTION]
    widths, left_out = fit_to_room(preferred, 704)
    assert left_out == {Column.CLAIMED_BY, Column.PRACTICE, Column.AGE, Column.DUE}
    assert sum(widths.values()) + QUESTION_MIN_WIDTH <= 704
    assert fit_to_room(preferred, 2000) == (preferred, frozenset())


def test_a_practice_manager_never_gets_the_patient_column_back(
    qtbot: QtBot, ui_store: Store, now: datetime
) -> None:
    """On a shared computer the GP's saved layout shows the patient; the manager's
    window, restoring it, does not, and its header menu does not offer it."""
    gp_layout = make_table(qtbot, ui_store, now, Role.GP).save_columns()
    manager = make_table(qtbot, ui_store, now, Role.PRACTICE_MANAGER)
    assert manager.restore_columns(gp_layout)
    assert manager.isColumnHidden(Column.PATIENT)
    assert not manager.isColumnHidden(Column.QUESTION)
