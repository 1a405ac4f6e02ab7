"""The Reports view's use-cases: run a report in the user's scope, drill down, export CSV.

A practice manager (or a GP) reports on their practice, a specialist on their
specialties, an administrator or system leader on the whole Bay: the scope is applied
here, whatever the query asks, and the local store holds only what the hub let the user
see anyway. Figures come from SQL on the store (:mod:`bhcp_ag.store.reports`), by the
domain's definitions; a drill-down lists the conversations behind one figure, within the
same scope. No Qt here; the UI runs these off the UI thread when they are slow.

A report's CSV (:func:`write_csv`, for the view and ``bhcp-ag-hub report`` alike) is the
table first, one row per group, so a spreadsheet opens on the figures; then a blank row
and a block saying what the figures are: the period, breakdown and filters, when they
were worked out, the assumptions behind the savings (``Assumption,<measure>,<text>``)
and a key to the columns (``Column,<key>,<heading>,<unit>``). The app's CSV heads its
table with the words the screen shows ("Avoidance rate (%)"); the key maps them back to
the machine names, as :func:`read_csv` does (``bhcp-ag-hub report`` heads its table with
the machine names, for analysts' scripts). A reader that wants the table only stops at
the first blank row.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import select

from bhcp_ag.domain.clock import LONDON
from bhcp_ag.domain.conversation import Priority, Role
from bhcp_ag.domain.metrics import BY_KEY, MEASURES, Measure
from bhcp_ag.domain.minimum import sees_workload_of_others
from bhcp_ag.domain.organisation import Organisation, UnknownCode
from bhcp_ag.domain.report_table import Record, column_heading, columns, records
from bhcp_ag.domain.reports import ReportQuery
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import User

if TYPE_CHECKING:  # the reports' SQL loads when a report is first made, not at start
    from bhcp_ag.sqlkit.report_sql import ReportRow

REPORTING_ROLES = frozenset({Role.PRACTICE_MANAGER, Role.ADMIN, Role.GP, Role.SPECIALIST})


@dataclass(frozen=True)
class WorkloadRecord:
    """One specialist's answers in one specialty: advice, questions and conversions."""

    specialist: str
    specialty: str
    answers: int
    advice: int
    questions: int
    conversions: int
    conversations: int


def _specialty_name(catalogue: SpecialtyCatalogue, code: str) -> str:
    try:
        return catalogue.get(code).short_name
    except KeyError:
        return code


class ReportRefused(PermissionError):
    """The user's role has no reports."""


@dataclass(frozen=True)
class Report:
    """A report as shown and exported: its query (in scope), columns and records."""

    query: ReportQuery
    columns: tuple[str, ...]
    records: tuple[Record, ...]
    groups: tuple[tuple[str, ...], ...]
    measures: tuple[Measure, ...]
    filters: tuple[tuple[str, str], ...] = ()
    """(what, chosen) for the practices, specialties and priorities covered, in words."""
    totals: Record | None = None
    """The figures for every group together, once :meth:`Reports.with_totals` worked
    them out (afresh, so rates and medians are the whole period's, not sums)."""

    def assumptions(self) -> dict[str, str]:
        return self.query.assumptions.describe()


def filter_lines(
    query: ReportQuery, organisation: Organisation, catalogue: SpecialtyCatalogue
) -> tuple[tuple[str, str], ...]:
    """What ``query`` covers in words: ("Practices", "All"), ("Specialties", "330 Dermatology").

    Practices that are exactly one network's or one ICC's are named as that ("Kendal
    ICC, South Lakeland network (6 practices)"), not listed one by one.
    """

    def practice(code: str) -> str:
        try:
            return f"{code} {organisation.practice(code).name}"
        except UnknownCode:
            return code

    def specialty(code: str) -> str:
        name = _specialty_name(catalogue, code)
        return code if name == code else f"{code} {name}"

    def priority(value: str) -> str:
        try:
            return Priority(value).label
        except ValueError:
            return value

    return (
        (
            "Practices",
            _place_words(query.practice_codes, organisation)
            or "; ".join(map(practice, query.practice_codes))
            or "All",
        ),
        ("Specialties", "; ".join(map(specialty, query.specialty_codes)) or "All"),
        ("Priorities", "; ".join(map(priority, query.priorities)) or "All"),
    )


def _place_words(codes: tuple[str, ...], organisation: Organisation) -> str | None:
    """The network or ICC whose practices are exactly ``codes``, in words; None when they
    are no one network's or ICC's (or one practice, named better by itself)."""
    chosen = set(codes)
    if len(chosen) < 2:
        return None
    for network in organisation.networks:
        if chosen == {p.code for p in organisation.practices_in_network(network.code)}:
            return f"{network.name} network ({len(chosen)} practices)"
        for icc in organisation.iccs_in(network.code):
            if chosen == {p.code for p in organisation.practices_in(icc.code)}:
                return f"{icc.name} ICC, {network.name} network ({len(chosen)} practices)"
    return None


WORKLOAD_ROLES = frozenset({Role.ADMIN, Role.SPECIALIST})
WORKLOAD_REFUSED = (
    "The specialist workload names specialists: it is for administrators, and for each "
    "specialist their own answers."
)


def in_scope(user: CurrentUser, query: ReportQuery) -> ReportQuery:
    """``query`` narrowed to what ``user`` may report on (their practice or specialties)."""
    if user.role not in REPORTING_ROLES:
        raise ReportRefused(f"{user.role.label}s have no reports.")
    if user.role in (Role.GP, Role.PRACTICE_MANAGER):
        return dataclasses.replace(query, practice_codes=(user.practice_code or "-",))
    if user.role is Role.SPECIALIST:
        chosen = [c for c in query.specialty_codes if c in user.specialty_codes]
        return dataclasses.replace(query, specialty_codes=tuple(chosen or user.specialty_codes))
    return query


class Reports:
    """Reports over the local store for the signed-in user."""

    def __init__(
        self, store: Store, organisation: Organisation, catalogue: SpecialtyCatalogue
    ) -> None:
        self._store = store
        self._organisation = organisation
        self._catalogue = catalogue

    def run(
        self, user: CurrentUser, query: ReportQuery, measures: Sequence[Measure] = MEASURES
    ) -> Report:
        scoped = in_scope(user, query)
        rows, table = self._table(scoped, measures)
        return Report(
            scoped,
            tuple(columns(scoped.group_by, measures)),
            tuple(table),
            tuple(row.group for row in rows),
            tuple(measures),
            filter_lines(scoped, self._organisation, self._catalogue),
        )

    def with_totals(self, user: CurrentUser, report: Report) -> Report:
        """``report`` with its :attr:`~Report.totals` (a report without a breakdown is
        its own total, and is returned as it is)."""
        scoped = in_scope(user, report.query)
        if not scoped.group_by:
            return report
        _, table = self._table(dataclasses.replace(scoped, group_by=()), report.measures)
        return dataclasses.replace(report, totals=table[0] if table else None)

    def _table(
        self, scoped: ReportQuery, measures: Sequence[Measure]
    ) -> tuple[list[ReportRow], list[Record]]:
        """The store's rows for ``scoped`` and their records."""
        from bhcp_ag.store.reports import store_report  # see the imports above

        rows = store_report(self._store, scoped, self._organisation)
        pairs = [(row.group, row.values) for row in rows]
        table = records(pairs, scoped.group_by, self._organisation, self._catalogue, measures)
        return rows, table

    def workload(self, user: CurrentUser, query: ReportQuery) -> list[WorkloadRecord]:
        """Answers per specialist and specialty in the user's scope, most answers first:
        every specialist's for an administrator, a specialist's own for them, and none
        for anyone else (workload by name is not a practice's to see)."""
        if user.role not in WORKLOAD_ROLES:
            raise ReportRefused(WORKLOAD_REFUSED)
        scoped = in_scope(user, query)
        from bhcp_ag.store.reports import store_workload

        rows = store_workload(self._store, scoped)
        if not sees_workload_of_others(user.role):
            rows = [row for row in rows if row.author_id == user.id]
        with self._store.read_session() as session:
            ids = {row.author_id for row in rows}
            names = dict(
                session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
            )
        return [
            WorkloadRecord(
                specialist=names.get(row.author_id, "Unknown specialist"),
                specialty=_specialty_name(self._catalogue, row.specialty_code),
                answers=row.answers,
                advice=row.advice,
                questions=row.questions,
                conversions=row.conversions,
                conversations=row.conversations,
            )
            for row in rows
        ]

    def drill(
        self, user: CurrentUser, query: ReportQuery, group: tuple[str, ...], measure_key: str
    ) -> list[str]:
        """The conversations behind one figure, newest first, in the user's scope."""
        scoped = in_scope(user, query)
        from bhcp_ag.store.reports import store_conversation_ids

        return store_conversation_ids(self._store, scoped, self._organisation, group, measure_key)


def write_csv(report: Report, path: Path) -> None:
    """The report as CSV (UTF-8 with a byte-order mark, which spreadsheets expect): the
    table under the headings people see, a blank row, then what the figures are and
    rest on (:func:`about_rows`)."""
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        write_csv_to(report, out, headings=True)


def write_csv_to(
    report: Report, out: TextIO, line_end: str = "\r\n", *, headings: bool = False
) -> None:
    """The CSV of :func:`write_csv`, written to ``out`` (rows ended with ``line_end``),
    its table headed by the columns' machine names unless ``headings``."""
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow([column_heading(k) if headings else k for k in report.columns])
    writer.writerows([record.get(key) for key in report.columns] for record in report.records)
    writer.writerow([])
    writer.writerows(about_rows(report))


def read_csv(path: Path) -> tuple[list[dict[str, str]], list[list[str]]]:
    """A CSV of :func:`write_csv` read back: its table, each row keyed by the columns'
    machine names (through the key below it), and the rows after the blank one."""
    with path.open(encoding="utf-8-sig", newline="") as back:
        rows = list(csv.reader(back))
    blank = rows.index([])
    header, *table = rows[:blank]
    about = rows[blank + 1 :]
    keys = {row[2]: row[1] for row in about if row[0] == "Column" and len(row) > 2}
    names = [keys.get(heading, heading) for heading in header]
    return [dict(zip(names, row, strict=True)) for row in table], about


def breakdown_words(report: Report) -> str:
    """ "Network, then month"; "None (one row for the whole period)"."""
    dimensions = report.query.group_by
    if not dimensions:
        return "None (one row for the whole period)"
    return ", then ".join([dimensions[0].label] + [d.in_sentence for d in dimensions[1:]])


def about_rows(report: Report) -> list[list[str]]:
    """The rows below a CSV's table: the period, breakdown, filters, when, assumptions
    and a key to the columns."""
    query = report.query
    as_at = query.now.astimezone(LONDON)
    rows = [
        ["About this report"],
        ["Period from (London date)", query.period.first.isoformat()],
        ["Period to (London date; inclusive)", query.period.last.isoformat()],
        ["Breakdown", breakdown_words(report)],
        *([what, chosen] for what, chosen in report.filters),
        ["Figures as at", f"{as_at:%Y-%m-%d %H:%M}", "London time"],
    ]
    described = report.assumptions()
    rows += [
        ["Assumption", BY_KEY[key].label, text]
        for key, text in described.items()
        if key in report.columns and key in BY_KEY
    ]
    for key in report.columns:
        measure = BY_KEY.get(key)
        unit = [measure.unit.value] if measure is not None else []
        rows.append(["Column", key, column_heading(key), *unit])
    return rows
