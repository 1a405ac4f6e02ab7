"""A report computed in SQL: one grouped query for the counts, sums and quantiles.

:func:`report_rows` takes the conversations table of the store or the hub (its columns by
the names :mod:`bhcp_ag.domain.metrics` uses), a :class:`ReportQuery` and the Bay's
organisation, and returns one :class:`ReportRow` per group. Counts and sums are
``SUM(CASE WHEN ... THEN ... ELSE 0 END)`` over the selected rows, grouped; ratios are
taken from those sums; quantiles as :mod:`bhcp_ag.sqlkit.quantile_sql` says (in the same
query on PostgreSQL, one more small query each on SQLite). Months, ICCs and networks
are ``CASE`` expressions built from the query's London month boundaries and the
organisation, so the same SQL runs on SQLite and PostgreSQL. No row is loaded into Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    and_,
    case,
    func,
    literal,
    select,
    true,
)

from bhcp_ag.domain import metrics
from bhcp_ag.domain.conversation import Status
from bhcp_ag.domain.metrics import (
    BeforeNow,
    Condition,
    CountOf,
    Equals,
    Measure,
    NotAfter,
    OneOf,
    Present,
    QuantileOf,
    RatioOf,
    SumOf,
)
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import NOT_RECORDED, Dimension, ReportQuery
from bhcp_ag.sqlkit.quantile_sql import pick_by_rank, quantile_sets

Columns = Mapping[str, Any]
"""Column name (as the domain names it) -> the table's column."""


@dataclass(frozen=True)
class ReportRow:
    """One group of a report: its labels (one per dimension) and each measure's value."""

    group: tuple[str, ...]
    values: dict[str, float | None]


def _condition(term: Condition, cols: Columns, now: datetime) -> ColumnElement[bool]:
    if isinstance(term, Equals):
        return cols[term.field] == term.value
    if isinstance(term, OneOf):
        return cols[term.field].in_(term.values)
    if isinstance(term, Present):
        return cols[term.field].is_not(None)
    if isinstance(term, NotAfter):
        return and_(cols[term.field].is_not(None), cols[term.field] <= cols[term.other])
    if isinstance(term, BeforeNow):
        return and_(cols[term.field].is_not(None), cols[term.field] < _time(cols, now))
    if not term.terms:
        return true()
    return and_(*(_condition(t, cols, now) for t in term.terms))


def _time(cols: Columns, instant: datetime) -> ColumnElement[Any]:
    """``instant`` bound with the table's own time type (so SQLite compares like with like)."""
    return literal(instant, type_=cols["submitted_at"].type)


def _days_between(start: Any, end: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return func.julianday(end) - func.julianday(start)
    # date_part gives double precision; EXTRACT gives numeric, several times slower to sort.
    return func.date_part("epoch", end - start) / 86400.0


def _derived(cols: Columns, query: ReportQuery, dialect: str) -> dict[str, ColumnElement[Any]]:
    """Per-conversation values the measures use that no table holds."""
    now = _time(cols, query.now)
    miles = query.assumptions.miles_by_practice
    practice = cols["practice_code"]
    return {
        "waiting_days": _days_between(
            cols["submitted_at"], func.coalesce(cols["closed_at"], now), dialect
        ),
        "round_trip_miles": case(
            {code: literal(value) for code, value in miles.items()}, value=practice, else_=0.0
        )
        if miles
        else literal(0.0),
        "first_attendance_tariff": literal(query.assumptions.tariff_pounds, type_=Float),
    }


def _place_case(practice: Any, names: Mapping[str, str]) -> ColumnElement[str]:
    by_name: dict[str, list[str]] = {}
    for code, name in names.items():
        by_name.setdefault(name, []).append(code)
    whens = [(practice.in_(codes), literal(name)) for name, codes in sorted(by_name.items())]
    return case(*whens, else_=literal(NOT_RECORDED))


def _group_expression(
    dimension: Dimension, cols: Columns, query: ReportQuery, organisation: Organisation
) -> ColumnElement[Any]:
    practice = cols["practice_code"]
    if dimension is Dimension.MONTH:
        months = query.period.months()
        later_first = [(cols["submitted_at"] >= _time(cols, s), literal(m)) for m, s in months]
        return case(*reversed(later_first), else_=literal(months[0][0]))
    if dimension is Dimension.ICC:
        icc = {p.code: organisation.icc_of(p).name for p in organisation.practices}
        return _place_case(practice, icc)
    if dimension is Dimension.NETWORK:
        network = {p.code: organisation.network_of(p).name for p in organisation.practices}
        return _place_case(practice, network)
    column = {
        Dimension.PRACTICE: practice,
        Dimension.SPECIALTY: cols["specialty_code"],
        Dimension.PRIORITY: cols["priority"],
        Dimension.AGE_BAND: cols["patient_age_band"],
        Dimension.SEX: cols["patient_sex"],
    }[dimension]
    return func.coalesce(column, literal(NOT_RECORDED))


def _selection(cols: Columns, query: ReportQuery) -> list[ColumnElement[bool]]:
    start, end = query.period.bounds()
    where = [
        cols["submitted_at"] >= _time(cols, start),
        cols["submitted_at"] < _time(cols, end),
        cols["status"] != Status.DRAFT.value,
    ]
    return where + _filters(cols, query)


def _filters(cols: Columns, query: ReportQuery) -> list[ColumnElement[bool]]:
    """The query's choices of practices, specialties and priorities."""
    chosen = (
        ("practice_code", query.practice_codes),
        ("specialty_code", query.specialty_codes),
        ("priority", query.priorities),
    )
    return [cols[name].in_(values) for name, values in chosen if values]


def _aggregate(
    measure: CountOf | SumOf, cols: Columns, derived: Mapping[str, Any], now: datetime
) -> ColumnElement[Any]:
    condition = _condition(measure.where, cols, now)
    if isinstance(measure, CountOf):
        value: Any = literal(1)
    else:
        value = derived.get(measure.field, cols.get(measure.field))
    return func.sum(case((condition, value), else_=literal(0))).label(measure.key)


def report_rows(
    connection: Connection,
    table: Any,
    cols: Columns,
    query: ReportQuery,
    organisation: Organisation,
    measures: Sequence[Measure] = metrics.MEASURES,
) -> list[ReportRow]:
    """The report, one row per group, in each dimension's order (``Dimension.sort_key``)."""
    dialect = connection.dialect.name
    derived = _derived(cols, query, dialect)
    groups = [
        _group_expression(d, cols, query, organisation).label(f"g{i}")
        for i, d in enumerate(query.group_by)
    ]
    sums = [m for m in measures if isinstance(m, CountOf | SumOf)]
    quantiles = quantile_sets(
        [m for m in measures if isinstance(m, QuantileOf)],
        lambda name: derived.get(name, cols.get(name)),
        lambda where: _condition(where, cols, query.now),
    )
    in_sql = dialect == "postgresql"  # percentile_disc; SQLite picks them afterwards
    counted = not in_sql and not groups  # SQLite's ranks without groups need the counts
    selected = select(func.count()).select_from(table).where(*_selection(cols, query))
    statement = selected.with_only_columns(
        *groups,
        func.count().label("_rows"),  # a column to select whatever the measures
        *(_aggregate(m, cols, derived, query.now) for m in sums),
        *(q.percentile_column() for q in quantiles if in_sql),
        *(q.count_column() for q in quantiles if counted),
    )
    if groups:
        statement = statement.group_by(*groups).order_by(*groups)
    rows: dict[tuple[str, ...], dict[str, float | None]] = {}
    counts: dict[int, dict[tuple[str, ...], int]] = {q.index: {} for q in quantiles}
    for row in connection.execute(statement):
        key = tuple(str(v) for v in row[: len(groups)])
        found = row._mapping
        rows[key] = {m.key: float(found[m.key] or 0) for m in sums}
        for q in quantiles:
            if in_sql:
                rows[key].update(q.from_percentiles(found))
            elif counted:
                counts[q.index][key] = int(found[q.count_label] or 0)
    if not rows and not groups:
        rows[()] = {m.key: 0.0 for m in sums} | {m.key: None for q in quantiles for m in q.measures}
    if not in_sql:
        for q in quantiles:
            picked = pick_by_rank(connection, selected, groups, q, counts[q.index])
            for key, values in rows.items():
                values.update({m.key: picked.get((key, m.key)) for m in q.measures})
    for measure in measures:
        if isinstance(measure, RatioOf):
            for values in rows.values():
                numerator = values.get(measure.numerator) or 0.0
                values[measure.key] = metrics.ratio(numerator, values.get(measure.denominator) or 0)

    def in_order(key: tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
        return tuple(d.sort_key(label) for d, label in zip(query.group_by, key, strict=True))

    return [ReportRow(key, rows[key]) for key in sorted(rows, key=in_order)]


def _drill_condition(
    measure_key: str, measures: Sequence[Measure], now: datetime, cols: Columns
) -> ColumnElement[bool]:
    """The condition a conversation meets to stand behind ``measure_key``'s figure."""
    by_key = {m.key: m for m in measures}
    measure = by_key[measure_key]
    if isinstance(measure, RatioOf):
        measure = by_key[measure.numerator]
    if isinstance(measure, RatioOf):  # a ratio of ratios is not defined
        raise KeyError(measure_key)
    return _condition(measure.where, cols, now)


def conversation_ids(
    connection: Connection,
    table: Any,
    cols: Columns,
    query: ReportQuery,
    organisation: Organisation,
    group: tuple[str, ...],
    measure_key: str,
    measures: Sequence[Measure] = metrics.MEASURES,
    limit: int = 10_000,
) -> list[str]:
    """The conversations behind one figure of a report: those of the group ``group`` (its
    labels, one per dimension of the query) that the measure counts (a rate: those of its
    numerator), newest first, at most ``limit``."""
    if len(group) != len(query.group_by):
        raise ValueError("A group names one label for each dimension of the report.")
    where = [*_selection(cols, query), _drill_condition(measure_key, measures, query.now, cols)]
    for dimension, label in zip(query.group_by, group, strict=True):
        where.append(_group_expression(dimension, cols, query, organisation) == label)
    statement = (
        select(cols["id"])
        .select_from(table)
        .where(*where)
        .order_by(cols["submitted_at"].desc(), cols["id"])
        .limit(limit)
    )
    return [str(cid) for cid in connection.scalars(statement)]


ANSWER_KINDS = ("advice", "question", "conversion")
"""A specialist's answers: advice, a question for the GP, a conversion."""


@dataclass(frozen=True)
class WorkloadRow:
    """One specialist's answers in one specialty over the report's period."""

    author_id: str
    specialty_code: str
    answers: int
    advice: int
    questions: int
    conversions: int
    conversations: int


def workload_rows(
    connection: Connection,
    messages: Any,
    message_cols: Columns,
    conversations: Any,
    cols: Columns,
    query: ReportQuery,
) -> list[WorkloadRow]:
    """Answers per specialist and specialty, for job planning: the specialists' messages
    written in the period (London dates) in the conversations the query's filters select,
    most answers first."""
    start, end = query.period.bounds()
    kind = message_cols["kind"]

    def counted(which: str) -> ColumnElement[Any]:
        return func.sum(case((kind == which, 1), else_=0))

    where = [
        message_cols["author_role"] == "specialist",
        kind.in_(ANSWER_KINDS),
        message_cols["created_at"] >= _time(cols, start),
        message_cols["created_at"] < _time(cols, end),
    ]
    where += _filters(cols, query)
    author, specialty = message_cols["author_id"], cols["specialty_code"]
    statement = (
        select(
            author,
            specialty,
            func.count().label("answers"),
            counted("advice").label("advice"),
            counted("question").label("questions"),
            counted("conversion").label("conversions"),
            func.count(func.distinct(message_cols["conversation_id"])).label("conversations"),
        )
        .select_from(messages.join(conversations, message_cols["conversation_id"] == cols["id"]))
        .where(*where)
        .group_by(author, specialty)
        .order_by(func.count().desc(), author, specialty)
    )
    return [
        WorkloadRow(str(a), str(s), int(n), int(adv), int(q), int(conv), int(c))
        for a, s, n, adv, q, conv, c in connection.execute(statement)
    ]
