"""The conversation list as a Qt table model that stays fast at 100,000 rows.

As in Anki's browser (``qt/aqt/browser/table/model.py``), the model holds only the ordered
conversation ids: filtering and sorting are SQL (:func:`bhcp_ag.store.conversations.list_ids`
returns ids alone), and the rows a view actually paints are fetched by id in pages of
:data:`PAGE_SIZE`, kept in a small least-recently-used cache. There is no
``QSortFilterProxyModel``: a proxy would need every row in memory.

The same model is a GP's "My requests" and a specialist's queue; only the default order
(:func:`default_sort_for`) and the columns a view shows differ. Overdue and nearly due are
:mod:`bhcp_ag.domain.urgency`'s definitions; both are marked in words or a sign as well as
colour, so the mark does not rest on colour alone.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import IntEnum
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import (
    Priority,
    Role,
    Status,
    gp_action_needed,
    referral_to_make,
)
from bhcp_ag.domain.patient import NAME_NOT_RECORDED, patient_name_text
from bhcp_ag.domain.urgency import (
    CLOCK_RUNNING_STATUSES,
    NEARLY_DUE_WORKING_HOURS,
    Urgency,
    calendar_span_words,
    due_words,
    escalated_if_due_before,
    is_escalated,
    nearly_due_until,
    request_age,
    time_waiting,
    urgency,
)
from bhcp_ag.domain.urgency import is_overdue as _is_overdue
from bhcp_ag.store.conversations import (
    ConversationFilter,
    ConversationRow,
    SortKey,
    count_gp_actions,
    count_overdue,
    list_id_runs,
    reversed_runs,
    rows_by_id,
    search_matches,
)
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import utcnow
from bhcp_ag.ui.formatting import (
    NOT_SET,
    due_sentence,
    first_line,
    label_of,
    list_time,
    long_london_time,
    nhs_number_text,
)
from bhcp_ag.ui.theme import LIGHT_COLOURS, colours

PAGE_SIZE = 200
MAX_CACHED_PAGES = 50
MAX_CACHED_ORDERS = 4
"""Id lists kept for going back to a filter and order without a query (about 9 MB each
at 100,000 rows); all are dropped by :meth:`ConversationTableModel.refresh`."""

ID_ROLE = Qt.ItemDataRole.UserRole
"""The conversation id of a row."""
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 1
"""True when the row is waiting for a response past its due time."""
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
"""The row's :class:`Status` value (``"draft"``, ``"submitted"``...)."""
NEARLY_DUE_ROLE = Qt.ItemDataRole.UserRole + 3
"""True when the row waits for a response due within the next 4 working hours."""

OVERDUE_STATUSES: tuple[str, ...] = CLOCK_RUNNING_STATUSES
"""States in which the clock runs (:data:`bhcp_ag.domain.urgency.CLOCK_RUNNING_STATUSES`).

A conversation past its due time in one of these is overdue. Once advice is returned (or
more information is asked for) the response was given, so it is no longer overdue.
"""

OVERDUE_COLOUR = LIGHT_COLOURS.overdue
NEARLY_DUE_COLOUR = LIGHT_COLOURS.nearly_due  # a dark amber: 6.5:1 on white, legible as text
"""The light scheme's colours; a dark scheme gets :data:`~bhcp_ag.ui.theme.DARK_COLOURS`."""
NEARLY_DUE_MARK = "▲"
_NEARLY_DUE_HINT = f"Nearly due: due within {NEARLY_DUE_WORKING_HOURS:g} working hours"
_ROOT = QModelIndex()
_OrderKey = tuple[ConversationFilter, SortKey, bool]


class Column(IntEnum):
    """The list's columns, as logical sections; new ones go at the end.

    The numbers are the header's logical indexes, which a saved header state refers to,
    so a column is never renumbered. The order on screen is the view's business.
    """

    STATUS = 0
    SPECIALTY = 1
    PRIORITY = 2
    PATIENT = 3
    QUESTION = 4
    SUBMITTED = 5
    DUE = 6
    NEXT_ACTION = 7
    CLAIMED_BY = 8
    PRACTICE = 9
    AGE = 10
    WAITING = 11

    @property
    def title(self) -> str:
        return _TITLES[self]

    @property
    def sort_key(self) -> SortKey | None:
        """The SQL order behind a click on this column's header, or None if it has none."""
        return _SORT_KEYS.get(self)

    @property
    def sorts_reversed(self) -> bool:
        """True when the column's values run against its SQL order (age: newest first)."""
        return self is Column.AGE


_TITLES = {
    Column.STATUS: "Status",
    Column.SPECIALTY: "Specialty",
    Column.PRIORITY: "Priority",
    Column.PATIENT: "Patient (NHS no., name)",
    Column.QUESTION: "Question",
    Column.SUBMITTED: "Submitted",
    Column.DUE: "Due (London time)",
    Column.NEXT_ACTION: "Next action by / time left",
    Column.CLAIMED_BY: "Claimed by",
    Column.PRACTICE: "Practice",
    Column.AGE: "Age",
    Column.WAITING: "Waiting in A&G",
}

_SORT_KEYS = {
    Column.STATUS: SortKey.STATUS,
    Column.SPECIALTY: SortKey.SPECIALTY,
    Column.PRIORITY: SortKey.PRIORITY,
    Column.PATIENT: SortKey.PATIENT,
    Column.PRACTICE: SortKey.PRACTICE,
    Column.SUBMITTED: SortKey.SUBMITTED,
    Column.DUE: SortKey.DUE,
    Column.NEXT_ACTION: SortKey.DUE,  # time left runs with the due time
    Column.AGE: SortKey.SUBMITTED,  # reversed: the youngest request was sent last
}
# Waiting (worked out per row) has no SQL order: a click on it leaves the order as it is.

DEFAULT_SORT = SortKey.UPDATED
"""Order with no column chosen, for everyone but specialists: most recently changed first."""


def default_sort_for(role: Role) -> tuple[SortKey, bool]:
    """The order with no column chosen, as (sort key, descending), for ``role``.

    A specialist works a queue: :attr:`SortKey.QUEUE`, earliest due first, so overdue
    requests lead, then the nearly due, then later ones, with conversations that no longer
    wait for them and drafts after. A GP's "My requests" (and a practice manager's and an
    administrator's list) stays most recently changed first: advice returned or more
    information asked for changes a conversation, so what needs the GP rises to the top by
    itself, and the overdue ones are counted in the filter bar's badge rather than buried
    under the many closed conversations a due-time order would put first.
    """
    if role is Role.SPECIALIST:
        return SortKey.QUEUE, False
    return DEFAULT_SORT, True


@dataclass(frozen=True)
class DisplayRow:
    """One conversation as the table shows it, worked out once when its page is fetched."""

    source: ConversationRow
    cells: tuple[str, ...]
    overdue: bool
    nearly_due: bool = False
    due_text: str | None = None
    """Where the due time stands, while the response clock runs (the tooltip's words)."""
    action_needed: str | None = None
    """What the GP must do now (a referral to make, a question to answer), or None."""
    escalated_to: str | None = None
    """Overdue by a working day or more: the specialty's lead it has gone to."""

    def tooltip(self, column: Column) -> str | None:
        """The full text behind a cell (worked out only when the mouse rests on it)."""
        if column is Column.QUESTION:
            question = self.source.question
            return question if len(question) <= 600 else question[:600] + "…"
        if column in (Column.SUBMITTED, Column.AGE, Column.WAITING):
            return long_london_time(self.source.submitted_at)
        if column is Column.DUE:
            due_at = self.source.due_at
            if due_at is not None and self.due_text is not None:
                return due_sentence(due_at, self.due_text)
            return long_london_time(due_at)
        if column is Column.NEXT_ACTION and self.escalated_to is not None:
            return (
                f"Overdue by a working day or more: escalated to {self.escalated_to}, "
                "the specialty's lead for Advice and Guidance."
            )
        if column is Column.NEXT_ACTION and self.action_needed is not None:
            return _ACTION_TIPS[self.action_needed]
        if column is Column.NEXT_ACTION and self.nearly_due:
            return f"{_NEARLY_DUE_HINT}. {self.cells[column].removeprefix(NEARLY_DUE_MARK)}"
        if column is Column.PATIENT:
            return patient_sentence(self.source)
        if column is Column.PRACTICE and self.source.practice_code:
            return f"{self.source.practice_name} ({self.source.practice_code})"
        return self.cells[column] or None

    def accessible_text(self, column: Column) -> str:
        """What a screen reader says for a cell: the nearly-due sign in words."""
        if column is Column.NEXT_ACTION and self.nearly_due:
            return f"Nearly due: {self.cells[column].removeprefix(NEARLY_DUE_MARK).strip()}"
        return self.cells[column]


def patient_cell(row: ConversationRow) -> str:
    """The NHS number (the list sorts by it) and the name: ``943 476 5919 · SMITH, Jane``."""
    name = patient_name_text(row.patient_family_name, row.patient_given_name)
    number = nhs_number_text(row.patient_nhs_number)
    return f"{number} · {name}" if name and number else number or name


def patient_sentence(row: ConversationRow) -> str:
    """The three identifiers in full, for the patient cell's tooltip."""
    name = patient_name_text(row.patient_family_name, row.patient_given_name)
    parts = [name or NAME_NOT_RECORDED]
    if row.patient_birth_date is not None:
        born = row.patient_birth_date
        parts.append(f"born {born.day} {born:%B %Y}")
    parts.append(f"NHS number {nhs_number_text(row.patient_nhs_number) or 'not recorded'}")
    return ", ".join(parts)


def review_row(row: ConversationRow) -> ConversationRow:
    """What a practice manager's list shows of ``row`` (:mod:`bhcp_ag.domain.minimum`),
    even of one their store kept whole (a colleague's request waiting to be sent)."""
    return replace(
        row,
        patient_nhs_number="",
        patient_family_name="",
        patient_given_name="",
        patient_birth_date=None,
        question=NOT_SET,
        claimed_by_name=None,
        claimed_by_id=None,
    )


def is_overdue(row: ConversationRow, now: datetime) -> bool:
    return _is_overdue(row.status, row.due_at, now)


def display_row(
    row: ConversationRow,
    now: datetime,
    this_year: int,
    nearly_due_by: datetime | None = None,
    me: str | None = None,
    leads: Mapping[str, str] | None = None,
) -> DisplayRow:
    """The text of each column for ``row``, with times as seen at ``now``.

    Called for every row of a page as it is fetched, so it stays cheap: pass
    ``nearly_due_by`` (:func:`~bhcp_ag.domain.urgency.nearly_due_until` of ``now``) once
    per page. ``me`` is the signed-in user's id: their own claims read "You".
    """
    status = Status(row.status)
    limit = nearly_due_by if nearly_due_by is not None else nearly_due_until(now)
    marked = urgency(row.status, row.due_at, now, nearly_due_by=limit)
    nearly_due = marked is Urgency.NEARLY_DUE
    claimed = row.claimed_by_name or ""
    if me is not None and row.claimed_by_id == me:
        claimed = "You"
    running = row.due_at is not None and row.status in OVERDUE_STATUSES
    due_text = due_words(row.due_at, now) if running and row.due_at is not None else None
    action = None
    if gp_action_needed(row.status, row.recommendation):
        to_refer = referral_to_make(row.status, row.recommendation)
        action = REFERRAL_ACTION if to_refer else QUESTION_ACTION
    escalated_to = None
    if marked is Urgency.OVERDUE and is_escalated(row.status, row.due_at, now):
        escalated_to = (leads or {}).get(row.specialty_code) or "the specialty's lead"
    next_action = action or _next_action_text(status, due_text, nearly_due, escalated_to)
    cells = (
        status.label,
        row.specialty_name,
        label_of(Priority, row.priority),
        patient_cell(row),
        first_line(row.question),
        list_time(row.submitted_at, this_year),
        list_time(row.due_at, this_year),
        next_action,
        claimed,
        row.practice_name or row.practice_code,
        _calendar(request_age(row.submitted_at, now), detailed=False),
        _calendar(time_waiting(row.submitted_at, row.closed_at, now)),
    )
    overdue = marked is Urgency.OVERDUE
    return DisplayRow(
        row,
        cells,
        overdue,
        nearly_due,
        due_text,
        action_needed=action,
        escalated_to=escalated_to,
    )


@cache
def _bold() -> QFont:
    """The font of a row that needs the GP to act (made once the application runs)."""
    font = QFont()
    font.setBold(True)
    return font


REFERRAL_ACTION = "GP · Action needed: referral recommended"
"""The next action of advice that recommended a referral, until the GP closes it."""
QUESTION_ACTION = "GP · Action needed: answer the specialist's question"
"""The next action while the specialist waits for more information (their clock stopped)."""
_ACTION_TIPS = {
    REFERRAL_ACTION: (
        "The specialist recommended a referral: refer the patient, then close the "
        "conversation as 'Referred' (or say why not). It stays here until then."
    ),
    QUESTION_ACTION: (
        "The specialist asked for more information and waits for your reply; the response "
        "clock stands still until you answer."
    ),
}


def _calendar(span: timedelta | None, *, detailed: bool = True) -> str:
    """The patient's wait or a request's age, in calendar days (a dash for a draft)."""
    return NOT_SET if span is None else calendar_span_words(span, detailed=detailed)


def _next_action_text(
    status: Status, due_text: str | None, nearly_due: bool, escalated_to: str | None = None
) -> str:
    who = status.next_action_by
    if who is None:
        return NOT_SET
    if due_text is not None:
        text = f"{who.label} · {due_text}"
        if escalated_to is not None:
            text = f"{who.label} · escalated to {escalated_to} · {due_text}"
        return f"{NEARLY_DUE_MARK} {text}" if nearly_due else text
    return who.label


_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_COLUMNS = tuple(Column)
_SERVED_ROLES = frozenset(
    int(getattr(role, "value", role))
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
        ID_ROLE,
        OVERDUE_ROLE,
        NEARLY_DUE_ROLE,
        STATUS_ROLE,
    )
)


class ConversationTableModel(QAbstractTableModel):
    """Conversations chosen by a :class:`ConversationFilter`, ordered and filtered in SQL."""

    def __init__(
        self,
        store: Store,
        flt: ConversationFilter,
        now: Callable[[], datetime] = utcnow,
        parent: QObject | None = None,
        *,
        default_sort: tuple[SortKey, bool] = (DEFAULT_SORT, True),
        user_id: str | None = None,
        review: bool = False,
        leads: Mapping[str, str] | None = None,
    ) -> None:
        """``default_sort`` is the order of ``sort(-1)`` (:func:`default_sort_for` the role);
        ``user_id`` is the signed-in user, whose own claims read "You"; ``review``: a
        practice manager's list, which shows no patient, question or claimer; ``leads``:
        each specialty's lead by code, named on a request escalated to them."""
        super().__init__(parent)
        self._store = store
        self._filter = flt
        self._now = now
        self._default_sort = default_sort
        self._sort, self._descending = default_sort
        self._user_id = user_id
        self._review = review
        self._leads = dict(leads or {})
        self._ids: list[str] = []
        # The ids in their runs (list_id_runs), and earlier (filter, order)'s, most recent
        # last: a snapshot of the store as last read, which refresh() reads again.
        self._runs: list[list[str]] = []
        self._orders: OrderedDict[_OrderKey, list[list[str]]] = OrderedDict()
        self._pages: OrderedDict[int, dict[str, DisplayRow]] = OrderedDict()
        self._tints = colours()  # read again with each page: the scheme may have changed
        self._query_ids()

    # --- what the rest of the UI asks --------------------------------------------------

    @property
    def filter(self) -> ConversationFilter:
        return self._filter

    @property
    def cached_pages(self) -> int:
        """How many pages of rows are held in memory (for tests and benchmarks)."""
        return len(self._pages)

    @property
    def sort_order(self) -> tuple[SortKey, bool]:
        """The order the ids are in now, as (sort key, descending)."""
        return self._sort, self._descending

    def count_gp_actions(self, scope: ConversationFilter) -> int:
        """How many conversations in ``scope`` wait for the GP to act (a question to
        answer, a recommended referral to make): "action needed" until they do."""
        with self._store.read_session() as session:
            return count_gp_actions(session, scope)

    def count_escalated(self, scope: ConversationFilter) -> int:
        """How many in ``scope`` are overdue by a working day or more (escalated)."""
        with self._store.read_session() as session:
            return count_overdue(session, scope, escalated_if_due_before(self._now()))

    def count_overdue(self, scope: ConversationFilter) -> int:
        """How many conversations in ``scope`` (the user's, not the filters') are overdue now."""
        with self._store.read_session() as session:
            return count_overdue(session, scope, self._now())

    def conversation_id(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, conversation_id: str) -> int | None:
        """The row showing ``conversation_id``, or None when the filter hides it."""
        try:
            return self._ids.index(conversation_id)
        except ValueError:
            return None

    def set_filter(self, flt: ConversationFilter) -> None:
        """Show ``flt``'s conversations: from the ids read since the last :meth:`refresh`
        where they tell (a filter gone back to, a search of a list already read), else
        from a query."""
        self._filter = flt
        self._reset(self._read_ids)

    def refresh(self) -> None:
        """Query the ids again (after a save, a sync or a filter change); rows reload lazily.

        Every id list kept from before goes: the store may have changed under them.
        """
        self._orders.clear()
        self._reset(self._query_ids)

    def _reset(self, read: Callable[[], None]) -> None:
        self.beginResetModel()
        read()
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
        # A view asks about ten roles for every painted cell; most are not served here,
        # so they are answered before any lookup (this is the hot path of scrolling).
        if role not in _SERVED_ROLES or not index.isValid():
            return None
        row_number = index.row()
        if not 0 <= row_number < len(self._ids):
            return None
        row = self._display_row(row_number)
        if row is None:  # deleted since the ids were read; gone at the next refresh
            return None
        if role == _DISPLAY:
            return row.cells[index.column()]
        return self._role_data(row, _COLUMNS[index.column()], role)

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
        """Order by ``column`` in SQL; -1 restores the default order the model was given.

        Columns without an SQL order (question, claimed by, practice, waiting) leave the
        order as it is. Age sorts by submission time the other way round.
        """
        if column < 0:
            key, descending = self._default_sort
        else:
            found = Column(column).sort_key
            if found is None:
                return
            descending = (order == Qt.SortOrder.DescendingOrder) != Column(column).sorts_reversed
            key = found
        if (key, descending) == (self._sort, self._descending):
            return
        turned = key is self._sort
        self._sort, self._descending = key, descending
        if turned:  # the same order the other way round: the ids read, reversed
            self._reset(lambda: self._show(reversed_runs(self._runs, key)))
        else:
            self._reset(self._read_ids)

    # --- loading -----------------------------------------------------------------------

    def _key(self, flt: ConversationFilter | None = None) -> _OrderKey:
        return (flt or self._filter, self._sort, self._descending)

    def _query_ids(self) -> None:
        with self._store.read_session() as session:
            self._show(list_id_runs(session, self._filter, self._sort, self._descending))

    def _read_ids(self) -> None:
        """The ids for the filter and order now: kept, narrowed from kept, or queried."""
        kept = self._orders.get(self._key())
        if kept is not None:
            self._show(kept)
            return
        whole = dataclasses.replace(self._filter, text="")
        base = self._orders.get(self._key(whole)) if self._filter.text.strip() else None
        if base is None:
            self._query_ids()
            return
        # A search of a list already read: its ids that the search matches, in its order.
        with self._store.read_session() as session:
            found = search_matches(session, self._filter.text)
        self._show([[i for i in run if i in found] for run in base])

    def _show(self, runs: list[list[str]]) -> None:
        self._runs = runs
        self._ids = [i for run in runs for i in run]
        self._pages.clear()
        key = self._key()
        self._orders[key] = runs
        self._orders.move_to_end(key)
        while len(self._orders) > MAX_CACHED_ORDERS:
            self._orders.popitem(last=False)

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
        if self._review:
            fetched = {key: review_row(row) for key, row in fetched.items()}
        now = self._now()
        year = now.astimezone(LONDON).year
        limit = nearly_due_until(now)
        self._tints = colours()
        rows = {
            key: display_row(row, now, year, limit, self._user_id, self._leads)
            for key, row in fetched.items()
        }
        self._pages[page] = rows
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return rows

    def _role_data(self, row: DisplayRow, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column]
        if role == ID_ROLE:
            return row.source.id
        if role == OVERDUE_ROLE:
            return row.overdue
        if role == NEARLY_DUE_ROLE:
            return row.nearly_due
        if role == STATUS_ROLE:
            return row.source.status
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.overdue:
                return self._tints.overdue
            return self._tints.nearly_due if row.nearly_due else None
        if role == Qt.ItemDataRole.FontRole:
            return _bold() if row.action_needed is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip(column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return row.accessible_text(column)
        return None
