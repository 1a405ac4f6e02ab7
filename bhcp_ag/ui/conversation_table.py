"""The conversation list's view: a GP's "My requests" or a specialist's queue.

:class:`ConversationTable` is the ``QTableView`` over a :class:`ConversationTableModel`:
fixed row heights and set column widths (nothing measures 100,000 rows), movable columns
shown or hidden from the header's context menu, and the columns each role starts with
(:func:`columns_for`). Overdue rows are red and nearly due ones amber, from the model's
foreground; both also say so in the "time left" cell, so colour is never the only sign.

Saved column layouts carry the number of columns they were saved with
(:meth:`ConversationTable.save_columns`), so a column added in a later version starts as
the role's default rather than appearing wherever Qt would put it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from bhcp_ag.domain.conversation import Role
from bhcp_ag.ui.conversation_model import Column, ConversationTableModel

COLUMN_WIDTHS = {
    Column.STATUS: 135,
    Column.SPECIALTY: 110,
    Column.PRIORITY: 62,
    Column.PRACTICE: 140,
    Column.PATIENT: 96,
    Column.QUESTION: 300,
    Column.SUBMITTED: 96,
    Column.AGE: 120,
    Column.WAITING: 150,
    Column.DUE: 96,
    Column.NEXT_ACTION: 230,
    Column.CLAIMED_BY: 120,
}
VISUAL_ORDER = tuple(COLUMN_WIDTHS)
"""Left to right on screen: who and what, then the times, then who holds it."""

QUESTION_MIN_WIDTH = 200
"""The question always keeps this much room: on a narrow screen the other columns give way."""
COMPACT_WIDTHS = {
    Column.STATUS: 86,
    Column.SPECIALTY: 80,
    Column.PRIORITY: 62,
    Column.PRACTICE: 90,
    Column.PATIENT: 96,
    Column.SUBMITTED: 80,
    Column.AGE: 80,
    Column.WAITING: 90,
    Column.DUE: 80,
    Column.NEXT_ACTION: 180,
    Column.CLAIMED_BY: 80,
}
"""The narrowest a column is made to fit the screen, still worth reading (its text elides;
the tooltip has it all). Narrower than that, a column is left out until there is room."""
GIVES_WAY_FIRST = (
    Column.CLAIMED_BY,
    Column.PRACTICE,
    Column.SUBMITTED,
    Column.WAITING,
    Column.AGE,
    Column.DUE,
    Column.SPECIALTY,
    Column.PRIORITY,
    Column.PATIENT,
    Column.STATUS,
    Column.NEXT_ACTION,
)
"""The order in which columns narrow, then step aside, when the list is short of room:
least needed first; the time left, which says what to answer first, goes last."""


def fit_to_room(
    preferred: Mapping[Column, int], room: int
) -> tuple[dict[Column, int], frozenset[Column]]:
    """Widths for the columns of ``preferred`` (not the question) that leave the question
    :data:`QUESTION_MIN_WIDTH` of ``room``, and the columns left out to make it.

    As few columns as possible are left out (least needed first); of those kept, the
    least needed narrow first, none below its compact width.
    """
    order = [column for column in GIVES_WAY_FIRST if column in preferred]
    kept = dict(preferred)
    left_out = 0
    while left_out < len(order) and _narrowest(kept) + QUESTION_MIN_WIDTH > room:
        del kept[order[left_out]]
        left_out += 1
    short = sum(kept.values()) + QUESTION_MIN_WIDTH - room
    for column in order:
        if short <= 0:
            break
        if column in kept:
            cut = min(short, max(kept[column] - COMPACT_WIDTHS[column], 0))
            kept[column] -= cut
            short -= cut
    return kept, frozenset(order[:left_out])


def _narrowest(widths: Mapping[Column, int]) -> int:
    return sum(min(width, COMPACT_WIDTHS[column]) for column, width in widths.items())


LEGACY_COLUMN_COUNT = 9
"""Columns in layouts saved before they carried a count (status to claimed by)."""
_STATE_TAG = b"bhcp-columns:"


@dataclass(frozen=True)
class ColumnSet:
    """The columns a role starts with: all of them in ``order``, less ``hidden``."""

    order: tuple[Column, ...]
    hidden: frozenset[Column]

    @property
    def shown(self) -> tuple[Column, ...]:
        return tuple(column for column in self.order if column not in self.hidden)


_HIDDEN: dict[Role, frozenset[Column]] = {
    # A practice's own list: the practice is theirs, the wait says how old a request is,
    # and who claimed it at the hospital is rarely their concern (shown on request).
    # The wait also says when it was sent, so the submitted time is there on request.
    Role.GP: frozenset({Column.CLAIMED_BY, Column.PRACTICE, Column.AGE, Column.SUBMITTED}),
    # A practice manager reviews: no patient column (their desk holds no patient details).
    Role.PRACTICE_MANAGER: frozenset(
        {Column.CLAIMED_BY, Column.PRACTICE, Column.AGE, Column.SUBMITTED, Column.PATIENT}
    ),
    # A queue: which practice asked and how old the request is (the age says when it was
    # sent); the patient's whole wait (which stops at closing) is the practice's measure.
    Role.SPECIALIST: frozenset({Column.WAITING, Column.SUBMITTED}),
    # Everything, with the wait rather than the age of each request.
    Role.ADMIN: frozenset({Column.AGE}),
}


_NEVER: dict[Role, frozenset[Column]] = {
    # A practice manager's desk holds no patient details: the column is never offered.
    Role.PRACTICE_MANAGER: frozenset({Column.PATIENT}),
}


def columns_for(role: Role) -> ColumnSet:
    """The columns ``role`` sees until they choose others from the header's menu."""
    return ColumnSet(VISUAL_ORDER, _HIDDEN.get(role, frozenset()))


class ConversationTable(QTableView):
    """The conversation list, set up for ``role``; sorting is the caller's to switch on.

    Call :meth:`restore_columns` with a saved layout (if any) first, then
    ``setSortingEnabled(True)``, so the list is sorted once, by the restored column.
    """

    def __init__(
        self, model: ConversationTableModel, role: Role, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._columns = columns_for(role)
        self._never = _NEVER.get(role, frozenset())
        self.setAccessibleName("Conversations")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setCornerButtonEnabled(False)
        self.verticalHeader().hide()
        # Fixed row heights and set column widths: nothing measures all 100,000 rows.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # The question is what people read: it stretches into the room the other columns
        # leave, and on a narrow screen they give way to it (:meth:`_fit_columns`).
        self._preferred: dict[Column, int] = {}  # widths chosen, before any giving way
        self._left_out: set[Column] = set()  # shown by choice, hidden for want of room
        self._fitting = False
        header.setStretchLastSection(False)
        header.sectionResized.connect(self._section_resized)
        self.reset_columns()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)  # the model's default order
        self._sort_section = -1
        self._sort_order = Qt.SortOrder.DescendingOrder
        header.sortIndicatorChanged.connect(self._sort_chosen)

    @property
    def column_set(self) -> ColumnSet:
        return self._columns

    def reset_columns(self, columns: tuple[Column, ...] | None = None) -> None:
        """Put ``columns`` (all by default) back in the role's order, widths and visibility."""
        header = self.horizontalHeader()
        title_room = header.fontMetrics().horizontalAdvance
        chosen = set(columns if columns is not None else Column)
        self._left_out -= chosen
        for visual, column in enumerate(self._columns.order):
            if column not in chosen:
                continue
            header.moveSection(header.visualIndex(column), visual)
            width = max(COLUMN_WIDTHS[column], title_room(column.title) + 24)
            header.resizeSection(column, width)
            header.setSectionHidden(column, column in self._columns.hidden)
            if column is not Column.QUESTION:
                self._preferred[column] = width
        self._question_stretches()

    def save_columns(self) -> QByteArray:
        """The header's layout (order, widths, hidden, sort) tagged with its column count.

        The widths saved are those chosen, not those a narrow window made of them.
        """
        tag = QByteArray(_STATE_TAG + f"{len(Column)}:".encode())
        chosen = {c: w for c, w in self._preferred.items() if self._is_chosen(c)}
        self._apply(chosen, frozenset())
        state = self.horizontalHeader().saveState()
        self._fit_columns()
        return tag + state

    def restore_columns(self, state: object) -> bool:
        """Bring back a layout from :meth:`save_columns` (or an untagged older header state).

        Columns the saved layout did not know take the role's defaults. False, and the
        defaults kept, when ``state`` is not a layout.
        """
        if not isinstance(state, QByteArray) or state.isEmpty():
            return False
        raw = bytes(state.data())
        saved_count = LEGACY_COLUMN_COUNT
        if raw.startswith(_STATE_TAG):
            count_text, _, raw = raw[len(_STATE_TAG) :].partition(b":")
            saved_count = int(count_text) if count_text.isdigit() else LEGACY_COLUMN_COUNT
        header = self.horizontalHeader()
        self._apply({}, frozenset())  # columns left out for room come back first
        if not header.restoreState(QByteArray(raw)):
            return False
        if saved_count < len(Column):
            self._place_new_columns(tuple(c for c in Column if c >= saved_count))
        for column in self._never:  # whoever's layout this was (a shared computer)
            header.setSectionHidden(column, True)
        self._sort_section = header.sortIndicatorSection()
        self._sort_order = header.sortIndicatorOrder()
        self._preferred = {c: header.sectionSize(c) for c in Column if c is not Column.QUESTION}
        self._question_stretches()
        return True

    # --- fitting the columns to the room there is --------------------------------------

    def _question_stretches(self) -> None:
        """The question takes the room left (also over an older layout that had the last
        column stretch); every other column keeps the width chosen, room allowing."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.QUESTION, QHeaderView.ResizeMode.Stretch)
        self._fit_columns()

    def _section_resized(self, section: int, _old: int, new: int) -> None:
        if self._fitting or section == Column.QUESTION or not 0 <= section < len(Column):
            return
        if new > 0:  # (hiding a section "resizes" it to nothing)
            self._preferred[Column(section)] = new  # the user's own choice

    def _is_chosen(self, column: Column) -> bool:
        """True when the user has ``column`` shown (even if left out for want of room)."""
        return column in self._left_out or not self.horizontalHeader().isSectionHidden(column)

    def _fit_columns(self) -> None:
        """Narrow the other columns, then leave some out, until the question has room."""
        chosen = {c: w for c, w in self._preferred.items() if self._is_chosen(c)}
        widths, left_out = fit_to_room(chosen, self.viewport().width())
        self._apply(widths, left_out)

    def _apply(self, widths: Mapping[Column, int], left_out: frozenset[Column]) -> None:
        """Show ``widths``' columns at those widths, hide ``left_out`` (for want of room)."""
        header = self.horizontalHeader()
        self._fitting = True
        try:
            for column in self._left_out - left_out:
                header.setSectionHidden(column, False)
            for column in left_out:
                header.setSectionHidden(column, True)
            for column, width in widths.items():
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False
        self._left_out = set(left_out)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _place_new_columns(self, new: tuple[Column, ...]) -> None:
        """Put columns added since a layout was saved beside their default neighbours."""
        header = self.horizontalHeader()
        title_room = header.fontMetrics().horizontalAdvance
        order = self._columns.order
        for column in new:
            before = order[: order.index(column)]
            known = [header.visualIndex(c) for c in before if c not in new]
            header.moveSection(header.visualIndex(column), max(known, default=-1) + 1)
            header.resizeSection(column, max(COLUMN_WIDTHS[column], title_room(column.title) + 24))
            header.setSectionHidden(column, column in self._columns.hidden)

    def _sort_chosen(self, section: int, order: Qt.SortOrder) -> None:
        """Columns without an SQL order keep the previous order, and its header mark."""
        if 0 <= section < len(Column) and Column(section).sort_key is None:
            header = self.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self._sort_section, self._sort_order)
            header.blockSignals(False)
            return
        self._sort_section, self._sort_order = section, order

    def _column_menu(self, position: QPoint) -> None:
        """Show or hide columns from the header's context menu, or go back to the defaults."""
        header = self.horizontalHeader()
        menu = QMenu(self)
        for visual in range(header.count()):
            column = Column(header.logicalIndex(visual))
            if column in self._never:
                continue
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(self._is_chosen(column))
            action.toggled.connect(partial(self._show_column, column))
        menu.addSeparator()
        menu.addAction("Reset columns", lambda: self.reset_columns())
        menu.exec(header.mapToGlobal(position))

    def _show_column(self, column: Column, shown: bool) -> None:
        self._left_out.discard(column)
        self.horizontalHeader().setSectionHidden(column, not shown)
        self._fit_columns()
