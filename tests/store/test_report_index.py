"""Every query of a report reads the report index alone, never the conversations' rows.

The rows carry the requests' clinical text; the index holds the fourteen columns a report
reads (``REPORT_COLUMNS``). SQLite's own query plan says which it used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, text

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Assumptions, Dimension, Period, ReportQuery
from bhcp_ag.sqlkit.report_index import REPORT_INDEX
from bhcp_ag.sqlkit.report_sql import ReportRow, report_rows
from bhcp_ag.store.db import Store
from bhcp_ag.store.demo import generate_demo_data
from bhcp_ag.store.models import Conversation

END = date(2025, 3, 31)
NOW = datetime(2025, 4, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(
    make_store: Callable[[Path], Store], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    store = make_store(tmp_path_factory.mktemp("index") / "store.sqlite3")
    generate_demo_data(store, conversations=1500, seed=5, end=END)
    with store.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    yield store
    store.close()


def _plans_of_reads(connection: Connection, run: Callable[[], object]) -> list[str]:
    """SQLite's plan for each statement ``run`` sends that reads the conversations."""
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM conversations" in statement:  # an INSERT ... SELECT: plan its SELECT
            sent.append((statement[statement.index("SELECT") :], parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    plans = []
    for statement, parameters in sent:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        plans.append("\n".join(str(row[-1]) for row in rows))
    return plans


@pytest.mark.parametrize(
    "group_by",
    [(), (Dimension.MONTH,), (Dimension.NETWORK, Dimension.SPECIALTY), (Dimension.AGE_BAND,)],
)
def test_a_report_reads_only_the_report_index(
    store: Store, group_by: tuple[Dimension, ...]
) -> None:
    organisation = Organisation.load()
    query = ReportQuery(
        Period(date(2024, 4, 1), END),
        NOW,
        group_by,
        assumptions=Assumptions.for_organisation(organisation),
    )
    table = Conversation.__table__
    rows: list[ReportRow] = []
    with store.read_session() as session:
        connection = session.connection()
        columns = {c.name: c for c in table.c}
        plans = _plans_of_reads(
            connection,
            lambda: rows.extend(report_rows(connection, table, columns, query, organisation)),
        )
    assert rows and sum(r.values["conversations"] or 0 for r in rows) > 500
    assert len(plans) >= 2  # the grouped query and the quantiles
    for plan in plans:
        assert f"USING COVERING INDEX {REPORT_INDEX}" in plan, plan
