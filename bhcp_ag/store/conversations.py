"""Reading and writing conversations in the local store.

The list reads are built for 100,000 rows: filters and sort orders become SQL, the list
first fetches only ids in order, then rows in batches by id (as Anki's browser does).
"Overdue" is :mod:`bhcp_ag.domain.urgency`'s definition, written as SQL here
(:func:`count_overdue`, ``ConversationFilter.overdue_at``).
Writes never commit: the caller owns the transaction, so a change and its outbox entry
land together or not at all.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Select, and_, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from bhcp_ag.domain.conversation import Recommendation, Status
from bhcp_ag.domain.limits import AttachmentCheck
from bhcp_ag.domain.request import AdviceRequestForm
from bhcp_ag.domain.urgency import CLOCK_RUNNING_STATUSES
from bhcp_ag.store.models import (
    AttachmentContent,
    Conversation,
    OutboxChange,
    Practice,
    Specialty,
    User,
    utcnow,
)


class SortKey(StrEnum):
    """The orders the list can be read in (each one reads an index; see :func:`list_ids`)."""

    QUEUE = "queue"
    """A specialist's queue: requests waiting for a response by due time (overdue first,
    then nearly due), then the other conversations by due time, then those without one."""
    UPDATED = "updated"
    DUE = "due"
    SUBMITTED = "submitted"
    SPECIALTY = "specialty"
    STATUS = "status"
    PRIORITY = "priority"
    PATIENT = "patient"
    PRACTICE = "practice"


@dataclass(frozen=True)
class ConversationFilter:
    """What the list shows; every part becomes a SQL condition."""

    practice_code: str | None = None
    specialty_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    text: str = ""
    overdue_at: datetime | None = None  # only conversations whose due time is before this
    claimed_by_id: str | None = None  # only conversations this user has claimed
    unclaimed_only: bool = False  # only conversations nobody has claimed
    # Only what waits for the GP to act (domain.conversation.gp_action_needed): a question
    # to answer, or advice that recommended a referral not yet acted on (closed).
    gp_action_needed: bool = False
    # Drafts are their author's alone: with a viewer, other people's drafts (a colleague's
    # on a shared practice computer, say) are left out.
    viewer_id: str | None = None
    # Open conversations and those that ended at or after this time ("recent").
    recent_since: datetime | None = None
    # Only these conversations (a report's drill-down); empty means no such limit.
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConversationRow:
    """One line of the conversation list (a frozen copy: safe to pass between threads)."""

    id: str
    specialty_code: str
    specialty_name: str
    status: str
    priority: str
    patient_nhs_number: str
    question: str
    requester_name: str
    claimed_by_name: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    due_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    practice_code: str = ""
    practice_name: str = ""
    claimed_by_id: str | None = None
    patient_family_name: str = ""
    patient_given_name: str = ""
    patient_birth_date: date | None = None
    recommendation: str | None = None


class Search(StrEnum):
    """How a search (:attr:`ConversationFilter.text`) becomes SQL."""

    PLAIN = "plain"
    """The condition itself: a count reads the matches from their covering index."""
    NARROW = "narrow"
    """The matches read from their own covering index, as a ``rowid IN`` list that the
    order's query looks up and sorts: for a search with few matches."""
    CHECKED = "checked"
    """A condition that no index serves, checked on each row as the order's index is
    read: for a search matching much of the list, where sorting the matches costs more."""


_SORT_COLUMNS: dict[SortKey, Any] = {
    SortKey.UPDATED: Conversation.updated_at,
    SortKey.DUE: Conversation.due_at,
    SortKey.SUBMITTED: Conversation.submitted_at,
    SortKey.STATUS: Conversation.status,
    SortKey.PRIORITY: Conversation.priority,
    SortKey.PATIENT: Conversation.patient_nhs_number,
}


def _conditions(
    flt: ConversationFilter, search: Search = Search.PLAIN
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.practice_code is not None:
        conditions.append(Conversation.practice_code == flt.practice_code)
    if flt.specialty_codes:
        conditions.append(Conversation.specialty_code.in_(flt.specialty_codes))
    if flt.ids:
        conditions.append(Conversation.id.in_(flt.ids))
    if flt.statuses:
        conditions.append(Conversation.status.in_(flt.statuses))
    if flt.recent_since is not None:
        still_open = [s.value for s in Status if s.is_open]
        conditions.append(
            or_(Conversation.status.in_(still_open), Conversation.closed_at >= flt.recent_since)
        )
    if flt.viewer_id is not None:
        conditions.append(
            or_(Conversation.status != "draft", Conversation.requester_id == flt.viewer_id)
        )
    if flt.overdue_at is not None:
        conditions.append(Conversation.due_at < flt.overdue_at)
    if flt.claimed_by_id is not None:
        conditions.append(Conversation.claimed_by_id == flt.claimed_by_id)
    if flt.gp_action_needed:  # as domain.conversation.gp_action_needed has it
        referral = and_(
            Conversation.status == Status.ADVICE_RETURNED.value,
            Conversation.recommendation == Recommendation.REFERRAL_RECOMMENDED.value,
        )
        conditions.append(or_(Conversation.status == Status.MORE_INFO_REQUESTED.value, referral))
    if flt.unclaimed_only:
        conditions.append(Conversation.claimed_by_id.is_(None))
    terms = _search_terms(flt.text)
    if terms is not None:
        conditions.append(_search_condition(*terms, search))
    return conditions


INDEXED_SEARCH_AT_MOST = 30_000
"""Up to this many matches a list's search is :attr:`Search.NARROW`, past it
:attr:`Search.CHECKED`. Sorting the matches costs about 3 µs each and the checked read
about 1.2 µs a row of the order's index, so on 100,000 rows sorting loses past about a
third of them. On ``bench/bench_conversation_list.py``'s store: a word in 3,181
questions took 12 ms narrow against 115 ms checked; one in 21,484, 60 against 126 ms; an
NHS number's start matching every row 315 ms narrow against 110 ms checked."""


def _search_terms(text: str) -> tuple[str, str] | None:
    """What the search box's ``text`` looks for: ("nhs", digits) or ("words", text)."""
    text = text.strip()
    if not text:
        return None
    digits = text.replace(" ", "")
    return ("nhs", digits) if digits.isdigit() else ("words", text)


def _search_condition(kind: str, value: str, search: Search) -> ColumnElement[bool]:
    """A search of the NHS number's start (``kind`` "nhs") or the question's words."""
    if search is Search.NARROW:
        found = aliased(Conversation, name="searched")
        matching: Select[Any] = (
            select(literal_column("searched.rowid"))
            .select_from(found)
            .where(_search_match(found, kind, value, indexed=True))
        )
        return literal_column("conversations.rowid").in_(matching)
    return _search_match(Conversation, kind, value, indexed=search is Search.PLAIN)


def _search_match(table: Any, kind: str, value: str, *, indexed: bool) -> ColumnElement[bool]:
    if kind == "nhs":
        column = table.patient_nhs_number
        if not indexed:  # SQLite's LIKE ignores case, so it never reads the binary index
            return cast(ColumnElement[bool], column.startswith(value, autoescape=True))
        # The prefix's range: its upper end is the prefix with the last digit one up
        # ("9" goes to ":", which sorts straight after it).
        return and_(column >= value, column < value[:-1] + chr(ord(value[-1]) + 1))
    # SQLite's LIKE ignores the case of ASCII letters, as its lower() does, and no more.
    return cast(ColumnElement[bool], table.question.contains(value, autoescape=True))


_NULLABLE_SORTS = frozenset({SortKey.DUE, SortKey.SUBMITTED})

_BY_NAME: dict[SortKey, tuple[Any, Callable[[ConversationFilter], Collection[str]]]] = {
    SortKey.SPECIALTY: (Conversation.specialty_code, lambda flt: flt.specialty_codes),
    SortKey.PRACTICE: (
        Conversation.practice_code,
        lambda flt: () if flt.practice_code is None else (flt.practice_code,),
    ),
}
"""Orders by a name the list shows, read group by group: the column grouped on, and the
codes the filter already narrows it to (none: all)."""


def _ordered(query: Select[Any], column: Any, descending: bool) -> Select[Any]:
    # The id breaks ties in the same direction, so SQLite reads the (column, id) index.
    # Ordered by the id alone, it is named once: "id, id" made SQLite sort again.
    terms = [Conversation.id] if column is Conversation.id else [column, Conversation.id]
    return query.order_by(*(t.desc() if descending else t.asc() for t in terms))


def _id_queries(
    flt: ConversationFilter, sort: SortKey, descending: bool, search: Search = Search.PLAIN
) -> list[Select[Any]]:
    """The queries whose results, one after another, are the list's ids in order.

    Missing values (a draft has no due time) go last in either direction, as a second
    query rather than a ``CASE`` in the order, which would defeat the index. The
    specialty and practice orders are by name, as the list shows them: one indexed query
    per specialty (or practice), in name order.
    """
    base = select(Conversation.id).where(*_conditions(flt, search))
    if sort is SortKey.SPECIALTY:
        names = select(Specialty.tfc_code).order_by(
            Specialty.short_name.desc() if descending else Specialty.short_name
        )
        return [names]  # expanded by list_ids, which knows the session
    if sort is SortKey.PRACTICE:
        by_name = Practice.name.desc() if descending else Practice.name
        return [select(Practice.code).order_by(by_name, Practice.code)]
    column = _SORT_COLUMNS[sort]
    if sort not in _NULLABLE_SORTS:
        return [_ordered(base, column, descending)]
    return [
        _ordered(base.where(column.is_not(None)), column, descending),
        _ordered(base.where(column.is_(None)), Conversation.id, descending),
    ]


def _queue_ids(
    connection: Connection, flt: ConversationFilter, descending: bool, search: Search
) -> list[list[str]]:
    """The queue order: requests waiting for a response by due time, then the rest.

    The waiting part is a small indexed read (status and scope in the ``IN`` lists). The
    rest is the whole due order less those ids, filtered here: a ``status NOT IN`` in SQL
    would cost a table lookup for each of 100,000 rows, where the plain due order reads
    the covering ``(due_at, id)`` index alone. An ``ORDER BY CASE`` would defeat the index.
    """
    running = tuple(
        s for s in flt.statuses or CLOCK_RUNNING_STATUSES if s in CLOCK_RUNNING_STATUSES
    )
    due = Conversation.due_at
    waiting: list[str] = []
    if running:
        part = dataclasses.replace(flt, statuses=running)
        query = select(Conversation.id).where(*_conditions(part, search), due.is_not(None))
        waiting = _fetch_ids(connection, _ordered(query, due, descending))
    first = set(waiting)
    rest = [
        [i for i in _fetch_ids(connection, query) if i not in first]
        for query in _id_queries(flt, SortKey.DUE, descending, search)
    ]
    return [waiting, *rest]


def list_ids(
    session: Session,
    flt: ConversationFilter,
    sort: SortKey = SortKey.UPDATED,
    descending: bool = True,
) -> list[str]:
    """The ids of the conversations that ``flt`` selects, in the list's order."""
    return [i for run in list_id_runs(session, flt, sort, descending) for i in run]


def list_id_runs(
    session: Session,
    flt: ConversationFilter,
    sort: SortKey = SortKey.UPDATED,
    descending: bool = True,
) -> list[list[str]]:
    """:func:`list_ids` as the runs it is read in, for :func:`reversed_runs`.

    Each run is one query's ids, ordered by its columns with the id last, all in the one
    direction: the queue's waiting requests, the rest with a due time, those without;
    one specialty (or practice) after another; or the whole order in one run.
    """
    search = _search_for_list(session, flt)
    if sort is SortKey.QUEUE:
        return _queue_ids(session.connection(), flt, descending, search)
    if sort in _BY_NAME:
        column, chosen = _BY_NAME[sort]
        codes = list(session.scalars(_id_queries(flt, sort, descending)[0]))
        if chosen(flt):
            codes = [c for c in codes if c in chosen(flt)]
        queries = [
            _ordered(
                select(Conversation.id).where(*_conditions(flt, search), column == code),
                Conversation.id,
                descending,
            )
            for code in codes
        ]
    else:
        queries = _id_queries(flt, sort, descending, search)
    connection = session.connection()
    return [_fetch_ids(connection, query) for query in queries]


def reversed_runs(runs: Sequence[Sequence[str]], sort: SortKey) -> list[list[str]]:
    """The runs of :func:`list_id_runs` for ``sort`` the other way round, read again
    without a query: each run's order is exactly reversed (its id breaks ties in the
    same direction), the runs themselves stay in place (a missing due time is last both
    ways) except when they are groups by name, whose order turns round too."""
    if sort in _BY_NAME:
        return [list(reversed(run)) for run in reversed(runs)]
    return [list(reversed(run)) for run in runs]


def search_matches(session: Session, text: str) -> frozenset[str]:
    """The ids of every conversation the search ``text`` alone selects, in no order.

    Read from the search's own covering index (the NHS number's, or the question's), so
    a list already read without the search narrows to it without reading its order
    again (:class:`~bhcp_ag.ui.conversation_model.ConversationTableModel`).
    """
    terms = _search_terms(text)
    if terms is None:
        raise ValueError("no search to match")
    query = select(Conversation.id).where(_search_condition(*terms, Search.PLAIN))
    return frozenset(_fetch_ids(session.connection(), query))


def _search_for_list(session: Session, flt: ConversationFilter) -> Search:
    """How the list reads ``flt``'s search: narrow or checked, by how many rows it matches
    (:data:`INDEXED_SEARCH_AT_MOST`; one count on the search's covering index)."""
    terms = _search_terms(flt.text)
    if terms is None:
        return Search.PLAIN
    matches = select(func.count()).select_from(Conversation)
    matches = matches.where(_search_condition(*terms, Search.PLAIN))
    narrow = (session.scalar(matches) or 0) <= INDEXED_SEARCH_AT_MOST
    return Search.NARROW if narrow else Search.CHECKED


def _fetch_ids(connection: Connection, query: Select[Any]) -> list[str]:
    """Run a one-column query on the DB-API cursor.

    At 100,000 ids SQLAlchemy's result layer costs as much as SQLite's own work
    (about 70 ms of 180 ms), so the compiled SQL runs on the raw cursor, with the
    bound values passed through their types' bind processors as SQLAlchemy would.
    """
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    # The types' own converters (UTC datetimes to SQLite's text); single-value binds only.
    processors = cast(dict[str, Callable[[Any], Any]], compiled._bind_processors)
    values = [
        processors[name](params[name]) if name in processors else params[name]
        for name in compiled.positiontup or ()
    ]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, values)
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()


def count(session: Session, flt: ConversationFilter) -> int:
    query = select(func.count()).select_from(Conversation).where(*_conditions(flt))
    return session.scalar(query) or 0


def count_overdue(session: Session, scope: ConversationFilter, now: datetime) -> int:
    """How many conversations in ``scope`` are overdue at ``now`` (one indexed count).

    Overdue as :func:`bhcp_ag.domain.urgency.is_overdue` defines it: waiting for the hub or
    the specialist, due before ``now``. ``scope`` is usually the user's
    :meth:`~bhcp_ag.services.workspace.CurrentUser.list_scope`; any statuses it names
    narrow the count further.
    """
    statuses = tuple(
        s for s in scope.statuses or CLOCK_RUNNING_STATUSES if s in CLOCK_RUNNING_STATUSES
    )
    if not statuses:
        return 0
    return count(session, dataclasses.replace(scope, statuses=statuses, overdue_at=now))


def count_gp_actions(session: Session, scope: ConversationFilter) -> int:
    """How many conversations in ``scope`` wait for the GP to act: a question to answer, or
    a recommended referral to make."""
    return count(session, dataclasses.replace(scope, gp_action_needed=True))


def rows_by_id(session: Session, ids: Sequence[str]) -> dict[str, ConversationRow]:
    """The list rows for ``ids`` (one query; at most a few hundred ids at a time)."""
    requester = aliased(User)
    claimer = aliased(User)
    query = (
        select(
            Conversation,
            Specialty.short_name,
            requester.display_name,
            claimer.display_name,
            Practice.name,
        )
        .join(Specialty, Specialty.tfc_code == Conversation.specialty_code)
        .join(requester, requester.id == Conversation.requester_id)
        .outerjoin(claimer, claimer.id == Conversation.claimed_by_id)
        .outerjoin(Practice, Practice.code == Conversation.practice_code)
        .where(Conversation.id.in_(ids))
    )
    rows: dict[str, ConversationRow] = {}
    for conv, specialty_name, requester_name, claimer_name, practice_name in session.execute(query):
        rows[conv.id] = ConversationRow(
            id=conv.id,
            specialty_code=conv.specialty_code,
            specialty_name=specialty_name,
            status=conv.status,
            priority=conv.priority,
            patient_nhs_number=conv.patient_nhs_number,
            question=conv.question,
            requester_name=requester_name,
            claimed_by_name=claimer_name,
            created_at=conv.created_at,
            updated_at=conv.updated_at,
            submitted_at=conv.submitted_at,
            due_at=conv.due_at,
            first_response_at=conv.first_response_at,
            closed_at=conv.closed_at,
            practice_code=conv.practice_code,
            practice_name=practice_name or conv.practice_code,
            claimed_by_id=conv.claimed_by_id,
            patient_family_name=conv.patient_family_name,
            patient_given_name=conv.patient_given_name,
            patient_birth_date=conv.patient_birth_date,
            recommendation=conv.recommendation,
        )
    return rows


def new_id() -> str:
    return str(uuid.uuid4())


def save_draft(
    session: Session,
    content: AdviceRequestForm,
    *,
    requester: User,
    conversation_id: str | None = None,
    now: datetime | None = None,
) -> Conversation:
    """Create or update a draft with the form's content as it stands (nothing is checked)."""
    now = now or utcnow()
    conv = session.get(Conversation, conversation_id) if conversation_id else None
    if conv is None:
        assert requester.practice_code is not None, "only a practice's user writes requests"
        conv = Conversation(
            id=conversation_id or new_id(),
            practice_code=requester.practice_code,
            requester_id=requester.id,
            status="draft",
            created_at=now,
        )
        session.add(conv)
    elif conv.status != "draft":
        raise ValueError("This request has already been sent; it can no longer be edited.")
    _copy_content(conv, content)
    conv.updated_at = now
    return conv


def _copy_content(conv: Conversation, content: AdviceRequestForm) -> None:
    conv.specialty_code = content.specialty_code
    conv.priority = content.priority
    conv.patient_nhs_number = content.patient_nhs_number
    conv.patient_family_name = content.patient_family_name
    conv.patient_given_name = content.patient_given_name
    conv.patient_birth_date = content.patient_birth_date
    conv.patient_sex = content.patient_sex
    conv.question = content.question
    conv.clinical_summary = content.clinical_summary
    conv.medication = content.medication
    conv.results = content.results
    conv.template_answers = json.dumps(dict(content.template_answers), sort_keys=True, default=str)
    conv.would_have_referred = content.would_have_referred
    conv.convert_authorisation = content.convert_authorisation


def content_of(conv: Conversation) -> AdviceRequestForm:
    """The form content of a stored conversation (for reopening a draft). A request passed
    on to another specialty keeps the specialty whose form the GP filled in."""
    return AdviceRequestForm(
        specialty_code=conv.form_specialty_code or conv.specialty_code,
        priority=conv.priority,
        patient_nhs_number=conv.patient_nhs_number,
        patient_family_name=conv.patient_family_name,
        patient_given_name=conv.patient_given_name,
        patient_birth_date=conv.patient_birth_date,
        patient_sex=conv.patient_sex,
        question=conv.question,
        clinical_summary=conv.clinical_summary,
        medication=conv.medication,
        results=conv.results,
        template_answers=json.loads(conv.template_answers or "{}"),
        would_have_referred=conv.would_have_referred,
        convert_authorisation=conv.convert_authorisation,
    )


def next_outbox_seq(session: Session) -> int:
    return (session.scalar(select(func.max(OutboxChange.seq))) or 0) + 1


def record_change(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    conversation_id: str | None,
    user_id: str,
    now: datetime | None = None,
) -> OutboxChange:
    """Queue ``user_id``'s change for the hub, in the caller's transaction; it is pushed
    only while they are signed in (the hub records whoever pushes it as its author)."""
    change = OutboxChange(
        id=new_id(),
        seq=next_outbox_seq(session),
        kind=kind,
        conversation_id=conversation_id,
        user_id=user_id,
        payload=json.dumps(payload, sort_keys=True, default=str),
        created_at=now or utcnow(),
        state="pending",
    )
    session.add(change)
    return change


def pending_changes(session: Session) -> list[OutboxChange]:
    query = select(OutboxChange).where(OutboxChange.state == "pending").order_by(OutboxChange.seq)
    return list(session.scalars(query))


def keep_content(session: Session, checked: AttachmentCheck, data: bytes) -> None:
    """Store an accepted file's bytes, once per SHA-256 however many refer to them."""
    if session.get(AttachmentContent, checked.sha256) is None:
        session.add(
            AttachmentContent(
                sha256=checked.sha256,
                mime_type=checked.mime_type,
                size=checked.size,
                content=data,
            )
        )
