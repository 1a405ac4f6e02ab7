"""The report compiled to SQL, against a hand-computed fixture, on SQLite.

(``tests/integration/test_report_sql_postgres.py`` runs the same checks on PostgreSQL.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, Table

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.sqlkit.report_sql import ReportRow, report_rows
from bhcp_ag.store.db import create_sqlite_engine
from tests.sqlkit import report_fixture as fx


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[tuple[Engine, Table]]:
    engine = create_sqlite_engine(tmp_path / "report.sqlite3")
    yield engine, fx.load(engine)
    engine.dispose()


def run(loaded: tuple[Engine, Table], *group_by: Dimension, **filters: object) -> list[ReportRow]:
    engine, table = loaded
    with engine.connect() as connection:
        return report_rows(
            connection,
            table,
            {c.name: c for c in table.c},
            fx.query(*group_by, **filters),  # type: ignore[arg-type]
            Organisation.load(),
        )


def check_report(rows: list[ReportRow]) -> None:
    [row] = rows
    assert row.group == ()
    for key, expected in fx.EXPECTED.items():
        assert row.values[key] == pytest.approx(expected), key


def check_by_month(rows: list[ReportRow]) -> None:
    assert [r.group for r in rows] == list(fx.BY_MONTH)
    for row in rows:
        for key, expected in fx.BY_MONTH[row.group].items():
            assert row.values[key] == pytest.approx(expected), (row.group, key)


def test_every_measure_matches_the_hand_computed_figure(loaded) -> None:
    check_report(run(loaded))


def test_months_are_london_months_across_the_clock_change(loaded) -> None:
    check_by_month(run(loaded, Dimension.MONTH))


def test_groups_by_network_and_sex_with_unrecorded_values_named(loaded) -> None:
    organisation = Organisation.load()
    rows = run(loaded, Dimension.NETWORK, Dimension.SEX)
    network = organisation.network_of("BAY001").name
    groups = {r.group: r.values["conversations"] for r in rows}
    assert sum(groups.values()) == 5
    assert groups[(network, "Not recorded")] == 1  # c8 has no sex recorded


def test_filters_narrow_the_selection(loaded) -> None:
    [row] = run(loaded, specialty_codes=("410",))
    assert row.values["conversations"] == 3 and row.values["avoidance_rate"] == 0.0
    [nothing] = run(loaded, practice_codes=("BAY047",))
    assert nothing.values["conversations"] == 0
    assert nothing.values["avoidance_rate"] is None and nothing.values["response_median"] is None


def test_a_figure_drills_down_to_the_conversations_behind_it(loaded) -> None:
    from bhcp_ag.sqlkit.report_sql import conversation_ids

    engine, table = loaded
    organisation = Organisation.load()
    columns = {c.name: c for c in table.c}
    with engine.connect() as connection:

        def drill(group: tuple[str, ...], key: str, *by: Dimension) -> list[str]:
            q = fx.query(*by)
            return conversation_ids(connection, table, columns, q, organisation, group, key)

        assert drill((), "conversations") == ["c4", "c8", "c3", "c2", "c1"]  # newest first
        assert drill((), "avoidance_rate") == ["c1"]  # a rate: its numerator's
        assert drill((), "overdue_now") == ["c4"]
        assert drill(("2026-04",), "would_have_referred", Dimension.MONTH) == ["c4", "c8", "c2"]
        assert drill(("410",), "within_target", Dimension.SPECIALTY) == ["c3"]
        with pytest.raises(ValueError):
            drill((), "conversations", Dimension.MONTH)
