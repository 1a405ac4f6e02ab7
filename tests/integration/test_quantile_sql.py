"""Quantiles picked in SQL equal the domain's nearest-rank quantile, on both databases.

Groups of many sizes (100 values is where ``ceil(0.07 x 100)`` goes wrong in floating point),
values absent or not counted, ties; SQLite's two ways (no groups; a window per group) and
PostgreSQL's ``percentile_disc``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    create_engine,
    func,
    select,
)

from bhcp_ag.domain import metrics
from bhcp_ag.domain.metrics import QuantileOf
from bhcp_ag.sqlkit.quantile_sql import QuantileSet, pick_by_rank

SIZES = (1, 2, 3, 7, 10, 20, 70, 71, 99, 100, 101, 200, 333)
MEASURES = tuple(QuantileOf(f"q{round(q * 100)}", "", "v", q) for q in (0.07, 0.25, 0.5, 0.9, 0.99))


def _table() -> Table:
    return Table(
        "quantile_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("grp", String(8), nullable=False),
        Column("v", Float),
        Column("counted", Boolean, nullable=False),
    )


def _rows(seed: int = 7) -> list[dict[str, object]]:
    chance = random.Random(seed)
    rows = []
    for size in SIZES:
        for _ in range(size):
            value = float(chance.randint(0, 40)) / 4  # ties on purpose
            rows.append({"grp": f"n{size:03d}", "v": value, "counted": True})
        rows.append({"grp": f"n{size:03d}", "v": None, "counted": True})
        rows.append({"grp": f"n{size:03d}", "v": -100.0, "counted": False})
    return [{"id": i, **row} for i, row in enumerate(rows)]


Picked = dict[tuple[tuple[str, ...], str], float | None]


def _expected(rows: list[dict[str, object]]) -> Picked:
    by_group: dict[str, list[float]] = {}
    for row in rows:
        if row["counted"] and row["v"] is not None:
            by_group.setdefault(str(row["grp"]), []).append(float(row["v"]))  # type: ignore[arg-type]
    everything = [v for values in by_group.values() for v in values]
    expected: Picked = {((), m.key): metrics.quantile(everything, m.q) for m in MEASURES}
    for group, values in by_group.items():
        expected |= {((group,), m.key): metrics.quantile(values, m.q) for m in MEASURES}
    return expected


@pytest.fixture(params=["sqlite", "postgres"])
def probe(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Table]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    table = _table()
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), _rows())
    yield engine, table
    engine.dispose()


def _quantiles(table: Table) -> QuantileSet:
    return QuantileSet(0, MEASURES, table.c.v, and_(table.c.counted, table.c.v.is_not(None)))


def test_every_group_and_the_whole_match_the_domain(probe: tuple[Engine, Table]) -> None:
    engine, table = probe
    quantiles = _quantiles(table)
    group = table.c.grp.label("g0")
    found: Picked = {}
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            column = quantiles.percentile_column()
            for row in connection.execute(select(group, column).group_by(group)):
                values = quantiles.from_percentiles(row._mapping)
                found |= {((row.g0,), key): value for key, value in values.items()}
            whole = connection.execute(select(column)).one()._mapping
            found |= {((), k): v for k, v in quantiles.from_percentiles(whole).items()}
        else:
            selected = select(func.count()).select_from(table)
            [n] = connection.execute(select(quantiles.count_column()).select_from(table)).one()
            found |= pick_by_rank(connection, selected, [], quantiles, {(): n})
            found |= pick_by_rank(connection, selected, [group], quantiles, {})
    expected = _expected(_rows())
    assert found.keys() == expected.keys()
    for key, value in expected.items():
        assert found[key] == value, key


def test_no_values_give_no_quantile(probe: tuple[Engine, Table]) -> None:
    engine, table = probe
    quantiles = _quantiles(table)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            row = connection.execute(select(quantiles.percentile_column()).where(table.c.id < 0))
            found = quantiles.from_percentiles(row.one()._mapping)
            assert found == {m.key: None for m in MEASURES}
        else:
            selected = select(func.count()).select_from(table).where(table.c.id < 0)
            found_sqlite = pick_by_rank(connection, selected, [], quantiles, {(): 0})
            assert found_sqlite == {((), m.key): None for m in MEASURES}
