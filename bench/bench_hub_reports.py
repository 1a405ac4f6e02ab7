"""The Bay dashboard over the hub's PostgreSQL: each report against a bare COUNT(*) of its rows.

With 1,000,000 demo conversations at the hub (loaded once into a PostgreSQL cluster whose
data directory is cached in ``bench/.cache``, then ANALYZEd), the administrator's
dashboard (every measure for the whole Bay, for the demo's last financial year and for all
of it) and its breakdowns (by specialty, by month, by network and month) are timed as
``bhcp_ag.hub.reports.hub_report`` runs them; the baseline is ``SELECT COUNT(*)`` over the
same rows (sent in the period, not drafts), in the same run. The cluster runs only for the
benchmark, and is stopped at its end.

    python bench/bench_hub_reports.py [--conversations N]

The first run at the default size loads the hub (about 8 minutes on 2 cores, 4 GB of
memory at its peak, 5.3 GB of cluster on disk); later runs take about 2 minutes. A cached
hub made at an older schema revision is migrated forward (as the hub does at start) and
analysed again, rather than loaded anew.

The local store's side is ``bench_reports.py``.
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path

from _common import CACHE, DEMO_END, median_seconds, report
from _postgres_bench import BenchCluster, running_cluster
from sqlalchemy import func, select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Assumptions, Dimension, Period, ReportQuery
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.hub.db import HubDatabase, head_revision
from bhcp_ag.hub.demo import load_demo_conversations, seed_demo
from bhcp_ag.hub.models import Conversation
from bhcp_ag.hub.reports import hub_report
from bhcp_ag.hub.security import Passwords

DATABASE = "hub"
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


def hub_cluster(conversations: int) -> Path:
    """A cluster's data directory holding a hub of ``conversations`` demo conversations,
    loaded and analysed once; later runs start the cluster over it as it is."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"pg-hub-{conversations}-{head_revision()}"
    if path.exists():
        return path
    older = sorted(p for p in CACHE.glob(f"pg-hub-{conversations}-*") if p.suffix != ".partial")
    if older:  # the same hub at an older revision: migrate it, as the hub would at start
        print(f"(migrating {older[-1].name} to {path.name})", flush=True)
        with running_cluster(older[-1]) as cluster:
            HubDatabase.open(cluster.url(DATABASE)).close()
            cluster.sql("VACUUM ANALYZE", DATABASE)
        older[-1].rename(path)
        return path
    print(f"(making a PostgreSQL hub of {conversations:,} demo conversations: {path.name})")
    partial = CACHE / f"{path.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    with running_cluster(partial) as cluster:
        _load(cluster, conversations)
    partial.rename(path)  # only once the cluster has stopped cleanly
    return path


def _load(cluster: BenchCluster, conversations: int) -> None:
    cluster.sql(f"CREATE DATABASE {DATABASE}")
    database = HubDatabase.open(cluster.url(DATABASE))
    try:
        started = time.perf_counter()
        with database.transaction() as session:
            seed_demo(session, Passwords(), Organisation.load(), SpecialtyCatalogue.load())
        with database.transaction() as session:
            summary = load_demo_conversations(
                session, conversations=conversations, end=DEMO_END, now=NOW
            )
        print(f"(loaded in {time.perf_counter() - started:.0f} s: {summary})", flush=True)
    finally:
        database.close()
    started = time.perf_counter()
    cluster.sql("VACUUM ANALYZE", DATABASE)
    print(f"(VACUUM ANALYZE in {time.perf_counter() - started:.0f} s)", flush=True)


def run_reports(database: HubDatabase) -> None:
    organisation = Organisation.load()
    assumptions = Assumptions.for_organisation(organisation)
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
            with database.transaction() as session:
                return session.scalar(counted) or 0  # type: ignore[call-overload]

        rows = count_rows()
        baseline = median_seconds(count_rows)
        for name, group_by in BREAKDOWNS.items():
            query = ReportQuery(period, NOW, group_by, assumptions=assumptions)

            def run(query: ReportQuery = query) -> object:
                return hub_report(database, query, organisation)

            seconds = median_seconds(run)
            report(
                f"hub report {name}, {period_name} ({rows:,} conversations, PostgreSQL)",
                seconds,
                "COUNT(*) of the same rows",
                baseline,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    args = parser.parse_args()
    data = hub_cluster(args.conversations)
    with running_cluster(data) as cluster:
        database = HubDatabase.open(cluster.url(DATABASE))
        try:
            run_reports(database)
        finally:
            database.close()


if __name__ == "__main__":
    main()
