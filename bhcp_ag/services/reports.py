"""The Reports view's use-cases: run a report in the user's scope, drill down, export CSV.

A practice manager (or a GP) reports on their practice, a specialist on their
specialties, an administrator or system leader on the whole Bay: the scope is applied
here, whatever the query asks, and the local store holds only what the hub let the user
see anyway. Figures come from SQL on the store (:mod:`bhcp_ag.store.reports`), by the
domain's definitions; a drill-down lists the conversations behind one figure, within the
same scope. No Qt here; the UI runs these off the UI thread when they are slow.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.metrics import MEASURES, Measure
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.report_table import Record, columns, records
from bhcp_ag.domain.reports import ReportQuery
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.services.current_user import CurrentUser
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import User
from bhcp_ag.store.reports import store_conversation_ids, store_report, store_workload

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

    def assumptions(self) -> dict[str, str]:
        return self.query.assumptions.describe()


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
        rows = store_report(self._store, scoped, self._organisation)
        pairs = [(row.group, row.values) for row in rows]
        table = records(pairs, scoped.group_by, self._organisation, self._catalogue, measures)
        return Report(
            scoped,
            tuple(columns(scoped.group_by, measures)),
            tuple(table),
            tuple(row.group for row in rows),
            tuple(measures),
        )

    def workload(self, user: CurrentUser, query: ReportQuery) -> list[WorkloadRecord]:
        """Answers per specialist and specialty in the user's scope, most answers first."""
        scoped = in_scope(user, query)
        rows = store_workload(self._store, scoped)
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
        return store_conversation_ids(self._store, scoped, self._organisation, group, measure_key)


def write_csv(report: Report, path: Path) -> None:
    """The report's table as CSV (UTF-8 with a byte-order mark, which spreadsheets expect)."""
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.DictWriter(out, fieldnames=list(report.columns))
        writer.writeheader()
        writer.writerows(report.records)
