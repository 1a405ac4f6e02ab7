"""Eight conversations whose report is worked out by hand, for any SQL database.

The period is March and April 2026 (London), across the clock change of 29 March. Times
are UTC. What each conversation contributes is in the comment beside it; the expected
figures are in :data:`EXPECTED` and :data:`BY_MONTH`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, Column, Float, MetaData, String, Table
from sqlalchemy.engine import Engine

from bhcp_ag.domain.reports import Assumptions, Dimension, Period, ReportQuery
from bhcp_ag.store.models import UTCDateTime


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


NOW = t("2026-04-30 12:00")
PERIOD = Period(date(2026, 3, 1), date(2026, 4, 30))
ASSUMPTIONS = Assumptions(tariff_pounds=100.0, miles_by_practice={"BAY001": 10.0, "BAY002": 4.5})


def query(*group_by: Dimension, **filters: Any) -> ReportQuery:
    return ReportQuery(PERIOD, NOW, group_by, assumptions=ASSUMPTIONS, **filters)


def table(metadata: MetaData, name: str = "report_fixture") -> Table:
    return Table(
        name,
        metadata,
        Column("id", String(8), primary_key=True),
        Column("practice_code", String(10)),
        Column("specialty_code", String(3)),
        Column("priority", String(16)),
        Column("status", String(24)),
        Column("would_have_referred", String(8)),
        Column("referral_avoided", Boolean),
        Column("submitted_at", UTCDateTime),
        Column("due_at", UTCDateTime),
        Column("first_due_at", UTCDateTime),
        Column("first_response_at", UTCDateTime),
        Column("closed_at", UTCDateTime),
        Column("response_working_days", Float),
        Column("patient_age_band", String(8)),
        Column("patient_sex", String(16)),
        Column("advice_useful", String(8)),
    )


def _row(cid: str, practice: str, specialty: str, status: str, submitted: str, **kw: Any) -> dict:
    row = {
        "id": cid,
        "practice_code": practice,
        "specialty_code": specialty,
        "priority": kw.pop("priority", "ROUTINE"),
        "status": status,
        "would_have_referred": kw.pop("whr", "yes"),
        "referral_avoided": kw.pop("avoided", False),
        "submitted_at": t(submitted),
        "patient_age_band": kw.pop("age", "40-64"),
        "patient_sex": kw.pop("sex", "female"),
        "advice_useful": kw.pop("useful", None),
    }
    for name in ("due_at", "first_due_at", "first_response_at", "closed_at"):
        row[name] = t(kw.pop(name)) if name in kw else None
    row["response_working_days"] = kw.pop("days", None)
    assert not kw, kw
    return row


ROWS = [
    # Avoided, answered within target after 1 working day; waited 3 days (closed).
    # The GP found the advice partly useful.
    _row("c1", "BAY001", "330", "closed", "2026-03-02 10:00", avoided=True, useful="partly",
         first_due_at="2026-03-04 10:00", due_at="2026-03-04 10:00",
         first_response_at="2026-03-03 10:00", closed_at="2026-03-05 10:00", days=1.0),
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: an April request. Converted,
    # answered late (3 working days); waited 4 days.
    _row("c2", "BAY001", "330", "converted", "2026-03-31 23:30", priority="URGENT",
         first_due_at="2026-04-02 23:30", due_at="2026-04-02 23:30",
         first_response_at="2026-04-03 23:30", closed_at="2026-04-04 23:30", days=3.0,
         age="65-79", sex="male"),
    # Would not have referred; answered within target in half a day; open (20 d 2 h).
    _row("c3", "BAY002", "410", "advice_returned", "2026-04-10 10:00", whr="no",
         first_due_at="2026-04-14 10:00", due_at="2026-04-14 10:00",
         first_response_at="2026-04-10 15:00", days=0.5),
    # Awaiting the specialist, due 22 April: overdue at NOW; open (9 d 12 h).
    _row("c4", "BAY002", "410", "awaiting_specialist", "2026-04-21 00:00",
         first_due_at="2026-04-22 00:00", due_at="2026-04-22 00:00", age="18-39"),
    # Cancelled after 1 day; would have referred, not avoided.
    _row("c8", "BAY001", "410", "cancelled", "2026-04-15 09:00", closed_at="2026-04-16 09:00",
         sex=None),
    # Left out: a draft; a request of 28 February (London); one of 1 May (London).
    _row("x1", "BAY001", "330", "draft", "2026-04-01 10:00"),
    _row("x2", "BAY001", "330", "closed", "2026-02-28 23:30", avoided=True, useful="yes"),
    _row("x3", "BAY001", "330", "closed", "2026-04-30 23:30", avoided=True),
]  # fmt: skip

EXPECTED = {
    "conversations": 5.0,
    "would_have_referred": 4.0,
    "referrals_avoided": 1.0,
    "avoidance_rate": 25.0,
    "conversions": 1.0,
    "responded": 3.0,
    "within_target": 2.0,
    "within_target_rate": 200 / 3,
    "response_median": 1.0,  # of 0.5, 1.0, 3.0
    "response_p90": 3.0,
    "overdue_now": 1.0,
    "waiting_median": 4.0,  # of 1, 3, 4, 9.5, 20.083
    "appointments_avoided": 1.0,
    "miles_saved": 10.0,
    "money_saved": 100.0,
    "useful_answered": 1.0,
    "useful_yes": 0.0,
    "useful_partly": 1.0,
    "useful_no": 0.0,
    "useful_rate": 0.0,
}

BY_MONTH = {
    ("2026-03",): {"conversations": 1.0, "referrals_avoided": 1.0, "response_median": 1.0},
    ("2026-04",): {"conversations": 4.0, "referrals_avoided": 0.0, "response_median": 0.5},
}


def load(engine: Engine, name: str = "report_fixture") -> Table:
    metadata = MetaData()
    fixture = table(metadata, name)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(fixture.insert(), ROWS)
    return fixture
