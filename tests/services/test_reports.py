"""Reports in the user's scope: a manager's practice, a specialist's specialties, the Bay."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.reports import Assumptions, Dimension, Period, ReportQuery
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.services.reports import (
    ReportRefused,
    Reports,
    filter_lines,
    in_scope,
    read_csv,
    write_csv,
)
from bhcp_ag.services.workspace import CurrentUser, load_user
from bhcp_ag.store.db import Store
from bhcp_ag.store.demo import generate_demo_data
from bhcp_ag.store.reference import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST

END = date(2025, 3, 31)
NOW = datetime(2025, 4, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def bay(
    make_store: Callable[[Path], Store], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    store = make_store(tmp_path_factory.mktemp("reports") / "store.sqlite3")
    generate_demo_data(store, conversations=2500, seed=5, end=END)
    yield store
    store.close()


@pytest.fixture(scope="module")
def reports(bay: Store) -> Reports:
    return Reports(bay, Organisation.load(), SpecialtyCatalogue.load())


def year(*group_by: Dimension, **filters: object) -> ReportQuery:
    period = Period(date(2024, 4, 1), END)
    assumptions = Assumptions.for_organisation(Organisation.load())
    return ReportQuery(period, NOW, group_by, assumptions=assumptions, **filters)  # type: ignore[arg-type]


def test_a_practice_manager_sees_only_their_practice(bay: Store, reports: Reports) -> None:
    manager = load_user(bay, DEMO_MANAGER)
    admin = load_user(bay, DEMO_ADMIN)
    mine = reports.run(manager, year(Dimension.PRACTICE, practice_codes=("BAY002",)))
    assert [r["practice"] for r in mine.records] == [manager.practice_code]
    assert mine.records[0]["practice_name"]
    everyone = reports.run(admin, year(Dimension.PRACTICE))
    assert len(everyone.records) > 40
    assert sum(r["conversations"] for r in everyone.records) > mine.records[0]["conversations"]


def test_a_practice_manager_asking_for_a_network_still_sees_only_their_practice(
    bay: Store, reports: Reports
) -> None:
    manager = load_user(bay, DEMO_MANAGER)
    organisation = Organisation.load()
    elsewhere = tuple(
        p.code for i in organisation.iccs_in("LM") for p in organisation.practices_in(i.code)
    )
    assert manager.practice_code not in elsewhere
    mine = reports.run(manager, year(Dimension.PRACTICE, practice_codes=elsewhere))
    assert [r["practice"] for r in mine.records] == [manager.practice_code]
    assert dict(mine.filters)["Practices"].startswith(f"{manager.practice_code} ")


def practices_line(*codes: str) -> str:
    lines = dict(filter_lines(year(practice_codes=codes), Organisation.load(),
                              SpecialtyCatalogue.load()))  # fmt: skip
    return lines["Practices"]


def test_the_practices_of_one_network_or_icc_are_named_as_that() -> None:
    organisation = Organisation.load()
    furness = [
        p.code for i in organisation.iccs_in("FP") for p in organisation.practices_in(i.code)
    ]
    kendal = [p.code for p in organisation.practices_in("KEN")]
    assert practices_line(*furness) == "Furness Peninsula network (14 practices)"
    assert practices_line(*reversed(kendal)) == "Kendal ICC, South Lakeland network (6 practices)"
    assert practices_line(*kendal[1:]) == "; ".join(
        f"{code} {organisation.practice(code).name}" for code in kendal[1:]
    )  # not the whole ICC: listed
    assert practices_line("BAY001") == "BAY001 Duddon Valley Medical Practice"  # all of Millom
    assert practices_line("BAY001", "GONE01") == "BAY001 Duddon Valley Medical Practice; GONE01"
    assert practices_line() == "All"


def test_a_specialist_reports_on_their_specialties_only(bay: Store, reports: Reports) -> None:
    specialist = load_user(bay, DEMO_SPECIALIST)
    report = reports.run(specialist, year(Dimension.SPECIALTY, specialty_codes=("330", "100")))
    assert [r["specialty"] for r in report.records] == ["330"]
    both = reports.run(specialist, year(Dimension.SPECIALTY))
    assert {r["specialty"] for r in both.records} == set(specialist.specialty_codes)


def test_drilling_down_lists_exactly_the_conversations_counted(
    bay: Store, reports: Reports
) -> None:
    admin = load_user(bay, DEMO_ADMIN)
    query = year(Dimension.NETWORK)
    report = reports.run(admin, query)
    for group, record in zip(report.groups, report.records, strict=True):
        for key in ("referrals_avoided", "overdue_now", "conversations"):
            ids = reports.drill(admin, query, group, key)
            assert len(ids) == record[key]
            assert len(set(ids)) == len(ids)
    manager = load_user(bay, DEMO_MANAGER)
    [mine] = reports.run(manager, year()).records
    assert len(reports.drill(manager, year(), (), "conversations")) == mine["conversations"]


def test_roles_without_reports_are_refused() -> None:
    system = CurrentUser("x", "hub", "The hub", Role.SYSTEM, None, ())
    with pytest.raises(ReportRefused):
        in_scope(system, year())


def test_csv_export_reads_back(bay: Store, reports: Reports, tmp_path: Path) -> None:
    admin = load_user(bay, DEMO_ADMIN)
    report = reports.run(admin, year(Dimension.SPECIALTY))
    path = tmp_path / "report.csv"
    write_csv(report, path)
    with path.open(encoding="utf-8-sig", newline="") as back:
        header = next(csv.reader(back))
    assert header[:3] == ["Specialty", "Specialty name", "Conversations"]
    assert "Avoidance rate (%)" in header and not set(header) & set(report.columns[1:])
    rows, about = read_csv(path)
    key = [row[1:3] for row in about if row[0] == "Column"]
    assert [heading for _, heading in key] == header  # a key for every heading, in order
    assert list(rows[0]) == list(report.columns)  # mapped back by the key
    assert len(rows) == len(report.records)
    assert sum(float(r["conversations"]) for r in rows) == sum(
        float(r["conversations"] or 0) for r in report.records
    )


def test_csv_says_what_the_figures_cover_and_rest_on(
    bay: Store, reports: Reports, tmp_path: Path
) -> None:
    specialist = load_user(bay, DEMO_SPECIALIST)
    query = year(Dimension.NETWORK, Dimension.PRIORITY, priorities=("URGENT",))
    tariff = dataclasses.replace(query.assumptions, tariff_pounds=185)
    report = reports.run(specialist, dataclasses.replace(query, assumptions=tariff))
    path = tmp_path / "report.csv"
    write_csv(report, path)
    rows, about = read_csv(path)
    assert [(r["network"], r["priority"]) for r in rows] == list(report.groups)
    assert {r["priority"] for r in rows} == {"URGENT"}
    money = [r for r in rows if float(r["referrals_avoided"])]
    assert money and all(
        float(r["money_saved"]) == 185 * float(r["referrals_avoided"]) for r in money
    )
    facts = {row[0]: row[1:] for row in about if row and row[0] not in ("Assumption", "Column")}
    assert facts["Period from (London date)"] == ["2024-04-01"]
    assert facts["Period to (London date; inclusive)"] == ["2025-03-31"]
    assert facts["Breakdown"] == ["Network, then priority"]
    assert facts["Priorities"] == ["Urgent"]
    assert facts["Specialties"] == ["330 Dermatology; 410 Rheumatology"]  # their scope
    assert facts["Figures as at"] == ["2025-04-01 10:00", "London time"]  # BST
    assumptions = {row[1]: row[2] for row in about if row[0] == "Assumption"}
    assert assumptions["Money not spent"] == "£185 for each first outpatient attendance avoided."
    assert set(assumptions) == {
        "Outpatient appointments avoided",
        "Patient miles not travelled",
        "Money not spent",
    }
    key = {row[1]: row[2:] for row in about if row[0] == "Column"}
    assert list(key) == list(report.columns)
    assert key["avoidance_rate"] == ["Avoidance rate (%)", "percent"]
    assert key["network"] == ["Network"]


def test_workload_names_the_specialists_within_the_scope(bay: Store, reports: Reports) -> None:
    admin = load_user(bay, DEMO_ADMIN)
    specialist = load_user(bay, DEMO_SPECIALIST)
    everyone = reports.workload(admin, year())
    assert len({r.specialty for r in everyone}) > 10
    assert all(r.specialist != "Unknown specialist" for r in everyone)
    assert sum(r.answers for r in everyone) == sum(
        r.advice + r.questions + r.conversions for r in everyone
    )
    mine = reports.workload(specialist, year())
    assert {r.specialty for r in mine} <= {"Dermatology", "Rheumatology"}
    assert mine and sum(r.answers for r in mine) < sum(r.answers for r in everyone)
    # Workload by name: a specialist's own only, and no one else's.
    assert {r.specialist for r in mine} == {specialist.display_name}


@pytest.mark.parametrize("username", [DEMO_GP, DEMO_MANAGER])
def test_a_practice_sees_no_specialist_named_in_a_workload(
    bay: Store, reports: Reports, username: str
) -> None:
    with pytest.raises(ReportRefused, match="for administrators, and for each specialist"):
        reports.workload(load_user(bay, username), year())
