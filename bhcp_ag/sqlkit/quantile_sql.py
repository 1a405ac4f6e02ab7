"""Quantiles of a report, computed in SQL the fastest way each database offers.

A :class:`~bhcp_ag.domain.metrics.QuantileOf` is the value at row ``ceil(q x n)`` of the
``n`` values in order (nearest rank). Quantiles of the same value over the same
conversations (the median and 90th centile of response times) are one
:class:`QuantileSet`, so one ordering serves them all:

- **PostgreSQL**: ``percentile_disc(ARRAY[...]) WITHIN GROUP (ORDER BY value) FILTER
  (WHERE ...)``, an aggregate in the report's own grouped query, so the whole report is
  one pass over the rows. ``percentile_disc`` picks row ``ceil(q x n)`` computed in
  floating point, where ``0.07 x 100`` is a little over 7; each ``q`` is passed a
  billionth lower so that the row is the exact nearest rank for any group of fewer than
  ten million values (a centile's ``q x n`` is a whole number or at least 0.01 from one).
- **SQLite** (no percentile function): with no groups, the report's query counts each
  set's values (:meth:`QuantileSet.count_column`) and the set's quantiles are then one
  ``ORDER BY value`` from the lowest rank wanted to the highest (one sort for the set;
  a query per quantile sorted again each time, a window query three times slower);
  with groups, the values are copied in order into a temporary table
  whose key numbers them, and each group's first key and count give each quantile by one
  lookup (a window query took three times as long).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import KeyedColumnElement

from bhcp_ag.domain.metrics import QuantileOf, nearest_rank

BELOW = 1e-9
"""How much lower each ``q`` is given to ``percentile_disc`` (see the module docstring)."""

Picked = dict[tuple[tuple[str, ...], str], float | None]
"""(group labels, measure key) -> the quantile's value."""


@dataclass(frozen=True)
class QuantileSet:
    """Quantiles of one ``value`` over the rows meeting ``where`` (the value present)."""

    index: int
    measures: tuple[QuantileOf, ...]
    value: ColumnElement[Any]
    where: ColumnElement[bool]

    @property
    def count_label(self) -> str:
        return f"_n{self.index}"

    @property
    def percentile_label(self) -> str:
        return f"_q{self.index}"

    def count_column(self) -> KeyedColumnElement[Any]:
        """How many values each group has (SQLite's ranks are taken from it)."""
        return func.sum(case((self.where, 1), else_=0)).label(self.count_label)

    def percentile_column(self) -> KeyedColumnElement[Any]:
        """PostgreSQL: every quantile of the set as one array, in :attr:`measures` order."""
        fractions = postgresql.array([literal(max(0.0, m.q - BELOW)) for m in self.measures])
        picked = func.percentile_disc(fractions).within_group(self.value).filter(self.where)
        return type_coerce(picked, postgresql.ARRAY(Float)).label(self.percentile_label)

    def from_percentiles(self, found: Mapping[Any, Any]) -> dict[str, float | None]:
        """The measures' values from :meth:`percentile_column`'s array in a result row."""
        values = found[self.percentile_label]
        if values is None:
            return {m.key: None for m in self.measures}
        return {
            m.key: None if v is None else float(v)
            for m, v in zip(self.measures, values, strict=True)
        }


def pick_by_rank(
    connection: Connection,
    selected: Select[Any],
    groups: Sequence[KeyedColumnElement[Any]],
    quantiles: QuantileSet,
    counts: Mapping[tuple[str, ...], int],
) -> Picked:
    """SQLite: the set's quantiles in each group. ``selected`` is the report's selection
    (its FROM and WHERE); ``counts`` the number of values without groups (from
    :meth:`QuantileSet.count_column`; the grouped way counts as it copies)."""
    if not groups:
        return _pick_ungrouped(connection, selected, quantiles, counts.get((), 0))
    return _pick_by_sorted_copy(connection, selected, groups, quantiles)


def _pick_ungrouped(
    connection: Connection, selected: Select[Any], quantiles: QuantileSet, n: int
) -> Picked:
    """One ordering for the whole set: the values from the lowest rank wanted to the
    highest, in order, and each quantile picked from them (the median and 90th centile
    of 100,000 response times: one sort, not two, for 40,000 values read)."""
    if not n:
        return {((), m.key): None for m in quantiles.measures}
    ranks = {m.key: nearest_rank(m.q, n) for m in quantiles.measures}
    low, high = min(ranks.values()), max(ranks.values())
    value = quantiles.value
    statement = (
        selected.with_only_columns(cast(value, Float))
        .where(quantiles.where)
        .order_by(value)
        .limit(high - low + 1)
        .offset(low - 1)
    )
    values = list(connection.scalars(statement))
    found: Picked = {}
    for key, rank in ranks.items():
        picked = values[rank - low] if rank - low < len(values) else None
        found[((), key)] = None if picked is None else float(picked)
    return found


def _pick_by_sorted_copy(
    connection: Connection,
    selected: Select[Any],
    groups: Sequence[KeyedColumnElement[Any]],
    quantiles: QuantileSet,
) -> Picked:
    """The values copied, in (group, value) order, into a temporary table whose integer
    key numbers them in that order; each quantile is then one lookup by key from its
    group's first key and count. (SQLite's window functions took three times as long.)"""
    copy = Table(
        f"report_quantiles_{uuid.uuid4().hex}",
        MetaData(),
        Column("position", Integer, primary_key=True),
        *(Column(g.name, String) for g in groups),
        Column("v", Float),
        prefixes=["TEMPORARY"],
    )
    copy.create(connection)
    try:
        in_order = (
            selected.with_only_columns(*groups, cast(quantiles.value, Float))
            .where(quantiles.where)
            .order_by(*(g.element for g in groups), quantiles.value)
        )
        connection.execute(copy.insert().from_select([g.name for g in groups] + ["v"], in_order))
        labels = [copy.c[g.name] for g in groups]
        starts = (
            select(*labels, func.min(copy.c.position).label("first"), func.count().label("n"))
            .group_by(*labels)
            .subquery()
        )

        def value_at(hundredths: int) -> Any:
            ranked = func.max(1, (starts.c.n * hundredths + 99) // 100)  # nearest_rank
            at = starts.c.first + ranked - 1
            return select(copy.c.v).where(copy.c.position == at).scalar_subquery()

        pick = select(
            *(starts.c[g.name] for g in groups),
            *(value_at(round(m.q * 100)).label(m.key) for m in quantiles.measures),
        )
        found: Picked = {}
        for row in connection.execute(pick):
            key = tuple(str(v) for v in row[: len(groups)])
            for measure in quantiles.measures:
                value = row._mapping[measure.key]
                found[(key, measure.key)] = None if value is None else float(value)
        return found
    finally:
        copy.drop(connection)


def quantile_sets(
    measures: Sequence[QuantileOf],
    value_of: Any,
    condition_of: Any,
) -> list[QuantileSet]:
    """The measures gathered into sets sharing a value and a condition, in order.

    ``value_of(field)`` and ``condition_of(where)`` compile a measure's parts.
    """
    alike: dict[tuple[str, object], list[QuantileOf]] = {}
    for measure in measures:
        alike.setdefault((measure.field, measure.where), []).append(measure)
    sets = []
    for index, together in enumerate(alike.values()):
        value = value_of(together[0].field)
        where = and_(condition_of(together[0].where), value.is_not(None))
        sets.append(QuantileSet(index, tuple(together), value, where))
    return sets
