"""The A&G report over the hub's conversations, computed in its database.

The hub's table carries every column the measures name; ``bhcp_ag.sqlkit`` compiles them.
An analyst runs it with ``bhcp-ag-hub report``.
"""

from __future__ import annotations

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import ReportQuery
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.models import Conversation
from bhcp_ag.sqlkit.report_sql import ReportRow, report_rows


def hub_report(
    database: HubDatabase, query: ReportQuery, organisation: Organisation
) -> list[ReportRow]:
    table = Conversation.__table__
    with database.transaction() as session:
        columns = {column.name: column for column in table.c}
        return report_rows(session.connection(), table, columns, query, organisation)
