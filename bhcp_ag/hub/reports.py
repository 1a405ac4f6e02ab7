"""The A&G report over the hub's conversations, computed in its database.

The hub's table carries every column the measures name; ``bhcp_ag.sqlkit`` compiles them.
An analyst runs it with ``bhcp-ag-hub report``.
"""

from __future__ import annotations

from sqlalchemy import select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import ReportQuery
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.models import Conversation, Message, User
from bhcp_ag.sqlkit.report_sql import ReportRow, WorkloadRow, report_rows, workload_rows


def hub_report(
    database: HubDatabase, query: ReportQuery, organisation: Organisation
) -> list[ReportRow]:
    table = Conversation.__table__
    with database.transaction() as session:
        columns = {column.name: column for column in table.c}
        return report_rows(session.connection(), table, columns, query, organisation)


def hub_workload(database: HubDatabase, query: ReportQuery) -> list[tuple[str, WorkloadRow]]:
    """(the specialist's name, their answers in a specialty) over ``query``'s period."""
    messages, conversations = Message.__table__, Conversation.__table__
    with database.transaction() as session:
        rows = workload_rows(
            session.connection(),
            messages,
            {column.name: column for column in messages.c},
            conversations,
            {column.name: column for column in conversations.c},
            query,
        )
        ids = {row.author_id for row in rows}
        query_names = select(User.id, User.display_name).where(User.id.in_(ids))
        names: dict[str, str] = {uid: name for uid, name in session.execute(query_names)}
    return [(names.get(row.author_id, row.author_id), row) for row in rows]
