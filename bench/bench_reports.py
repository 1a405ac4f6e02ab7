"""The Bay dashboard over the local store: each report against a bare COUNT(*) of its rows.

With 100,000 demo conversations in the store (made once, cached in ``bench/.cache``),
the administrator's dashboard (every measure for the whole Bay, for the demo's last
financial year and for all of it) and its breakdowns (by specialty, by month, by network
and month) are timed as ``bhcp_ag.store.reports.store_report`` runs them; the baseline is
``SELECT COUNT(*)`` over the same rows (sent in the period, not drafts), in the same run.

    python bench/bench_reports.py [--conversations N]

(The hub's side, over 1,000,000 conversations on PostgreSQL, is a later benchmark.)
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from _common import DEMO_END, demo_store, median_seconds, open_store, report
from sqlalchemy import func, select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Assumptions, Dimension, Period, ReportQuery
from bhcp_ag.store.models import Conversation
from bhcp_ag.store.reports import store_report

NOW = datetime(DEMO_END.year, DEMO_END.month, DEMO_END.day, 12, tzinfo=UTC)
PERIODS = {
    "the last financial year": Period(date(2025, 4, 1), date(2026, 3, 31)),
    "the whole demo": Period(date(2020, 1, 1), DEMO_END),
}
BREAKDOWNS: dict[str, tuple[Dimension, ...]] = {
    "the Bay": (),
    "by specialty": (Dimension.SPECIALTY,),
    "by month": (Dimension.MONTH,),
    "by network and month": (Dimension.NETWORK, Dimension.MONTH),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    store = open_store(demo_store(args.conversations))
    organisation = Organisation.load()
    assumptions = Assumptions.for_organisation(organisation)
    try:
        for period_name, period in PERIODS.items():
            start, end = period.bounds()
            counted = (
                select(func.count())
                .select_from(Conversation)
                .where(
                    Conversation.submitted_at >= start,
                    Conversation.submitted_at < end,
                    Conversation.status != "draft",
                )
            )

            def count_rows(counted: object = counted) -> int:
                with store.read_session() as session:
                    return session.scalar(counted) or 0  # type: ignore[call-overload]

            rows = count_rows()
            baseline = median_seconds(count_rows)
            for name, group_by in BREAKDOWNS.items():
                query = ReportQuery(period, NOW, group_by, assumptions=assumptions)
                seconds = median_seconds(lambda q=query: store_report(store, q, organisation))
                report(
                    f"report {name}, {period_name} ({rows:,} conversations)",
                    seconds,
                    "COUNT(*) of the same rows",
                    baseline,
                )
    finally:
        store.close()


if __name__ == "__main__":
    main()
