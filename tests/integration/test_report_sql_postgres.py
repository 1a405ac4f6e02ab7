"""The report compiled to SQL on PostgreSQL: the same hand-computed fixture as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, Table, create_engine

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Dimension
from bhcp_ag.sqlkit.report_sql import report_rows
from tests.sqlkit import report_fixture as fx
from tests.sqlkit.test_report_sql import check_by_month, check_report


@pytest.fixture
def loaded(postgres_url: str) -> Iterator[tuple[Engine, Table]]:
    engine = create_engine(postgres_url)
    yield engine, fx.load(engine)
    engine.dispose()


def test_every_measure_and_the_months_match_on_postgresql(loaded) -> None:
    engine, table = loaded
    organisation = Organisation.load()
    with engine.connect() as connection:
        columns = {c.name: c for c in table.c}
        check_report(report_rows(connection, table, columns, fx.query(), organisation))
        by_month = fx.query(Dimension.MONTH)
        check_by_month(report_rows(connection, table, columns, by_month, organisation))
