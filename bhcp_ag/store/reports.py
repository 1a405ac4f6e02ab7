"""The A&G report over the conversations in the local store (what its user may see).

The store holds only what the hub gave its user (their practice, or their specialties),
so a report here is theirs by construction. ``bhcp_ag.sqlkit`` compiles the measures.
"""

from __future__ import annotations

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import ReportQuery
from bhcp_ag.sqlkit.report_sql import (
    ReportRow,
    WorkloadRow,
    conversation_ids,
    report_rows,
    workload_rows,
)
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Conversation, Message


def store_report(store: Store, query: ReportQuery, organisation: Organisation) -> list[ReportRow]:
    table = Conversation.__table__
    with store.read_session() as session:
        columns = {column.name: column for column in table.c}
        return report_rows(session.connection(), table, columns, query, organisation)


def store_conversation_ids(
    store: Store,
    query: ReportQuery,
    organisation: Organisation,
    group: tuple[str, ...],
    measure_key: str,
) -> list[str]:
    """The conversations behind one figure of ``query``'s report (see ``sqlkit``)."""
    table = Conversation.__table__
    with store.read_session() as session:
        columns = {column.name: column for column in table.c}
        return conversation_ids(
            session.connection(), table, columns, query, organisation, group, measure_key
        )


def store_workload(store: Store, query: ReportQuery) -> list[WorkloadRow]:
    """Answers per specialist and specialty in ``query``'s period (see ``sqlkit``)."""
    messages, conversations = Message.__table__, Conversation.__table__
    with store.read_session() as session:
        return workload_rows(
            session.connection(),
            messages,
            {column.name: column for column in messages.c},
            conversations,
            {column.name: column for column in conversations.c},
            query,
        )
