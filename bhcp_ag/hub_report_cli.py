"""``bhcp-ag-hub report``: the A&G report for analysts, as CSV or JSON on standard output.

    bhcp-ag-hub report --from 2016-04-01 --to 2017-03-31 --by specialty --format csv

``--by`` may be given more than once (``--by network --by month``), as many times as there
are dimensions but each dimension once (``--by network --by network`` is refused, exit
code 2, as argparse refuses any other mistake); without it the report is one row for the
whole Bay. ``--network``, ``--icc`` and ``--practice`` narrow it to those practices
(together: all of them), ``--specialty`` and ``--priority`` to those; a code the Bay does
not have is refused in words. ``--tariff`` sets the price of a first outpatient
attendance behind the money saved. The figures are computed in the hub's database by
the same definitions as the app's Reports view (``bhcp_ag.domain.metrics``). The JSON
carries the period, the measures' labels and units and the assumptions beside the rows;
the CSV is the one the app exports (:func:`bhcp_ag.services.reports.write_csv`): the
table, a blank line, then the period, breakdown, assumptions and a key to the columns.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import UTC, date, datetime
from typing import Any

from bhcp_ag.domain.conversation import Priority
from bhcp_ag.domain.metrics import MEASURES
from bhcp_ag.domain.organisation import Organisation, UnknownCode
from bhcp_ag.domain.report_table import columns, records
from bhcp_ag.domain.reports import (
    DEFAULT_TARIFF_POUNDS,
    Assumptions,
    Dimension,
    Period,
    ReportQuery,
)
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.reports import hub_report, hub_workload
from bhcp_ag.services.reports import Report, filter_lines, write_csv_to

BY_CHOICES = [dimension.value for dimension in Dimension]


class _Breakdowns(argparse.Action):
    """``--by``, kept in the order given; a dimension given twice is an argument error."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        chosen = list(getattr(namespace, self.dest, None) or [])  # not the shared default
        if values in chosen:
            raise argparse.ArgumentError(
                self, f"'{values}' is given twice; break the report down by each dimension once"
            )
        setattr(namespace, self.dest, [*chosen, values])


def add_report_parser(commands: Any, add_database: Any) -> None:
    report = commands.add_parser(
        "report",
        help="the A&G report as CSV or JSON",
        description="Referrals avoided, response times and savings for a period, "
        "computed in the hub's database, written to standard output.",
    )
    report.add_argument(
        "--from",
        dest="first",
        type=date.fromisoformat,
        required=True,
        metavar="DATE",
        help="the first day (YYYY-MM-DD, London)",
    )
    report.add_argument(
        "--to",
        dest="last",
        type=date.fromisoformat,
        required=True,
        metavar="DATE",
        help="the last day, included",
    )
    report.add_argument(
        "--by",
        action=_Breakdowns,
        default=[],
        choices=BY_CHOICES,
        help="break the report down by this (may be repeated, each dimension once)",
    )
    places = report.add_argument_group(
        "filters", "narrow the report (each may be repeated; places add up, as the view's do)"
    )
    for flag, what in (
        ("--network", "a clinical network's code (its practices)"),
        ("--icc", "an Integrated Care Community's code (its practices)"),
        ("--practice", "a practice's code"),
        ("--specialty", "a specialty's treatment function code (330)"),
    ):
        places.add_argument(flag, action="append", default=[], metavar="CODE", help=what)
    places.add_argument(
        "--priority", action="append", default=[], choices=[p.value for p in Priority]
    )
    report.add_argument("--format", choices=("csv", "json"), default="csv")
    report.add_argument(
        "--workload",
        action="store_true",
        help="instead: answers per specialist and specialty, for job planning",
    )
    report.add_argument(
        "--tariff",
        type=float,
        default=DEFAULT_TARIFF_POUNDS,
        metavar="POUNDS",
        help="price of a first outpatient attendance",
    )
    add_database(report)  # fmt: skip


def _practices(organisation: Organisation, args: argparse.Namespace) -> tuple[str, ...]:
    """The practices of the chosen networks, ICCs and practices, in the organisation's
    order; none chosen: () (every practice)."""
    chosen: set[str] = set()
    for network in args.network:
        chosen.update(p.code for p in organisation.practices_in_network(network))
    for icc_code in args.icc:
        chosen.update(p.code for p in organisation.practices_in(icc_code))
    chosen.update(organisation.practice(code).code for code in args.practice)
    return tuple(p.code for p in organisation.practices if p.code in chosen)


def _query(args: argparse.Namespace, now: datetime, organisation: Organisation) -> ReportQuery:
    known = {specialty.tfc_code for specialty in SpecialtyCatalogue.load().all()}
    for code in args.specialty:
        if code not in known:
            raise UnknownCode(f"There is no specialty with the code '{code}'.")
    return ReportQuery(
        Period(args.first, args.last),
        now,
        tuple(Dimension(value) for value in args.by),
        practice_codes=_practices(organisation, args),
        specialty_codes=tuple(args.specialty),
        priorities=tuple(args.priority),
        assumptions=Assumptions.for_organisation(organisation, args.tariff),
    )


def report_text(database: HubDatabase, args: argparse.Namespace, now: datetime) -> str:
    """The report the arguments ask for, as CSV or JSON text; ``UnknownCode`` (its
    message for the user) for a filter naming something the Bay does not have."""
    organisation = Organisation.load()
    query = _query(args, now, organisation)
    group_by, assumptions = query.group_by, query.assumptions
    if args.workload:
        return _workload_text(database, query, args.format)
    rows = hub_report(database, query, organisation)
    catalogue = SpecialtyCatalogue.load()
    table = records([(row.group, row.values) for row in rows], group_by, organisation, catalogue)
    if args.format == "json":
        return _json(query, assumptions, table)
    report = Report(
        query,
        tuple(columns(group_by)),
        tuple(table),
        tuple(row.group for row in rows),
        tuple(MEASURES),
        filter_lines(query, organisation, catalogue),
    )
    out = io.StringIO()
    write_csv_to(report, out, line_end="\n")
    return out.getvalue().rstrip("\n")


def _json(query: ReportQuery, assumptions: Assumptions, table: list[dict[str, Any]]) -> str:
    document = {
        "period": {"from": query.period.first.isoformat(), "to": query.period.last.isoformat()},
        "computed_at": query.now.astimezone(UTC).isoformat(),
        "by": [dimension.value for dimension in query.group_by],
        "measures": [{"key": m.key, "label": m.label, "unit": m.unit.value} for m in MEASURES],
        "assumptions": assumptions.describe(),
        "rows": table,
    }
    return json.dumps(document, indent=2)


WORKLOAD_COLUMNS = (
    "specialist",
    "specialty",
    "specialty_name",
    "answers",
    "advice",
    "questions",
    "conversions",
    "conversations",
)


def _workload_text(database: HubDatabase, query: ReportQuery, form: str) -> str:
    catalogue = SpecialtyCatalogue.load()
    table = [
        {
            "specialist": name,
            "specialty": row.specialty_code,
            "specialty_name": catalogue.get(row.specialty_code).short_name,
            "answers": row.answers,
            "advice": row.advice,
            "questions": row.questions,
            "conversions": row.conversions,
            "conversations": row.conversations,
        }
        for name, row in hub_workload(database, query)
    ]
    if form == "json":
        period = {"from": query.period.first.isoformat(), "to": query.period.last.isoformat()}
        return json.dumps({"period": period, "workload": table}, indent=2)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(WORKLOAD_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue().rstrip("\n")
