"""The conversation list as a Qt table model that stays fast at 100,000 rows.

As in Anki's browser (``qt/aqt/browser/table/model.py``), the model holds only the ordered
conversation ids: filtering and sorting are SQL (:func:`bhcp_ag.store.conversations.list_ids`
returns ids alone), and the rows a view actually paints are fetched by id in pages of
:data:`PAGE_SIZE`, kept in a small least-recently-used cache. There is no
``QSortFilterProxyModel``: a proxy would need every row in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import Priority, Role, Status
from bhcp_ag.store.conversations import (
    ConversationFilter,
    ConversationRow,
    SortKey,
    list_ids,
    rows_by_id,
)
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import utcnow
from bhcp_ag.ui.formatting import (
    NOT_SET,
    first_line,
    label_of,
    list_time,
    long_london_time,
    nhs_number_text,
    time_left,
)

PAGE_SIZE = 200
MAX_CACHED_PAGES = 50

ID_ROLE = Qt.ItemDataRole.UserRole
"""The conversation id of a row."""
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 1
"""True when the row is waiting for a response past its due time."""
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
"""The row's :class:`Status` value (``"draft"``, ``"submitted"``...)."""

OVERDUE_STATUSES: tuple[str, ...] = tuple(
    status.value for status in Status if status.next_action_by in (Role.SPECIALIST, Role.SYSTEM)
)
"""States in which the clock runs: the request waits for the hub or the specialist.

A conversation past its due time in one of these is overdue. Once advice is returned (or
more information is asked for) the response was given, so it is no longer overdue.
"""

OVERDUE_COLOUR = QColor("#b3261e")
_ROOT = QModelIndex()


class Column(IntEnum):
    STATUS = 0
    SPECIALTY = 1
    PRIORITY = 2
    PATIENT = 3
    QUESTION = 4
    SUBMITTED = 5
    DUE = 6
    NEXT_ACTION = 7
    CLAIMED_BY = 8

    @property
    def title(self) -> str:
        return _TITLES[self]

    @property
    def sort_key(self) -> SortKey | None:
        """The SQL order behind a click on this column's header, or None if it has none."""
        return _SORT_KEYS.get(self)


_TITLES = {
    Column.STATUS: "Status",
    Column.SPECIALTY: "Specialty",
    Column.PRIORITY: "Priority",
    Column.PATIENT: "Patient (NHS no.)",
    Column.QUESTION: "Question",
    Column.SUBMITTED: "Submitted",
    Column.DUE: "Due (London time)",
    Column.NEXT_ACTION: "Next action by / time left",
    Column.CLAIMED_BY: "Claimed by",
}

_SORT_KEYS = {
    Column.STATUS: SortKey.STATUS,
    Column.SPECIALTY: SortKey.SPECIALTY,
    Column.PRIORITY: SortKey.PRIORITY,
    Column.PATIENT: SortKey.PATIENT,
    Column.SUBMITTED: SortKey.SUBMITTED,
    Column.DUE: SortKey.DUE,
    Column.NEXT_ACTION: SortKey.DUE,  # time left runs with the due time
}

DEFAULT_SORT = SortKey.UPDATED
"""Order with no column chosen: most recently changed first."""


@dataclass(frozen=True)
class DisplayRow:
    """One conversation as the table shows it, worked out once when its page is fetched."""

    source: ConversationRow
    cells: tuple[str, ...]
    overdue: bool

    def tooltip(self, column: Column) -> str | None:
        """The full text behind a cell (worked out only when the mouse rests on it)."""
        if column is Column.QUESTION:
            question = self.source.question
            return question if len(question) <= 600 else question[:600] + "…"
        if column is Column.SUBMITTED:
            return long_london_time(self.source.submitted_at)
        if column is Column.DUE:
            return long_london_time(self.source.due_at)
        return self.cells[column] or None


def is_overdue(row: ConversationRow, now: datetime) -> bool:
    return row.status in OVERDUE_STATUSES and row.due_at is not None and row.due_at < now


def display_row(row: ConversationRow, now: datetime, this_year: int) -> DisplayRow:
    """The text of each column for ``row``, with times as seen at ``now``.

    Called for every row of a page as it is fetched, so it stays cheap.
    """
    status = Status(row.status)
    cells = (
        status.label,
        row.specialty_name,
        label_of(Priority, row.priority),
        nhs_number_text(row.patient_nhs_number),
        first_line(row.question),
        list_time(row.submitted_at, this_year),
        list_time(row.due_at, this_year),
        _next_action_text(row, status, now),
        row.claimed_by_name or "",
    )
    return DisplayRow(row, cells, is_overdue(row, now))


def _next_action_text(row: ConversationRow, status: Status, now: datetime) -> str:
    who = status.next_action_by
    if who is None:
        return NOT_SET
    if row.status in OVERDUE_STATUSES and row.due_at is not None:
        return f"{who.label} · {time_left(row.due_at, now)}"
    return who.label


class ConversationTableModel(QAbstractTableModel):
    """Conversations chosen by a :class:`ConversationFilter`, ordered and filtered in SQL."""

    def __init__(
        self,
        store: Store,
        flt: ConversationFilter,
        now: Callable[[], datetime] = utcnow,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._filter = flt
        self._now = now
        self._sort = DEFAULT_SORT
        self._descending = True
        self._ids: list[str] = []
        self._pages: OrderedDict[int, dict[str, DisplayRow]] = OrderedDict()
        self._query_ids()

    # --- what the rest of the UI asks --------------------------------------------------

    @property
    def filter(self) -> ConversationFilter:
        return self._filter

    @property
    def cached_pages(self) -> int:
        """How many pages of rows are held in memory (for tests and benchmarks)."""
        return len(self._pages)

    def conversation_id(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, conversation_id: str) -> int | None:
        """The row showing ``conversation_id``, or None when the filter hides it."""
        try:
            return self._ids.index(conversation_id)
        except ValueError:
            return None

    def set_filter(self, flt: ConversationFilter) -> None:
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Query the ids again (after a save, a sync or a filter change); rows reload lazily."""
        self.beginResetModel()
        self._query_ids()
        self.endResetModel()

    def refresh_times(self) -> None:
        """Recompute "time left" and overdue marks, which change as the clock moves on."""
        self._pages.clear()
        if self._ids:
            last = self.index(len(self._ids) - 1, len(Column) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # --- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row = self._display_row(index.row())
        if row is None:  # deleted since the ids were read; gone at the next refresh
            return None
        return self._role_data(row, Column(index.column()), role)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return Column(section).title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by ``column`` in SQL; -1 restores the default (most recently changed first).

        Columns without an SQL order (question, claimed by) leave the order as it is.
        """
        if column < 0:
            key, descending = DEFAULT_SORT, True
        else:
            found = Column(column).sort_key
            if found is None:
                return
            key, descending = found, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        self.refresh()

    # --- loading -----------------------------------------------------------------------

    def _query_ids(self) -> None:
        with self._store.read_session() as session:
            self._ids = list_ids(session, self._filter, self._sort, self._descending)
        self._pages.clear()

    def _display_row(self, row: int) -> DisplayRow | None:
        page = row // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            rows = self._load_page(page)
        else:
            self._pages.move_to_end(page)
        return rows.get(self._ids[row])

    def _load_page(self, page: int) -> dict[str, DisplayRow]:
        ids = self._ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        with self._store.read_session() as session:
            fetched = rows_by_id(session, ids)
        now = self._now()
        year = now.astimezone(LONDON).year
        rows = {key: display_row(row, now, year) for key, row in fetched.items()}
        self._pages[page] = rows
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return rows

    @staticmethod
    def _role_data(row: DisplayRow, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column]
        if role == ID_ROLE:
            return row.source.id
        if role == OVERDUE_ROLE:
            return row.overdue
        if role == STATUS_ROLE:
            return row.source.status
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue:
            return OVERDUE_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip(column)
        return None
