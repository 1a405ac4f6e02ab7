"""Facts the reports need, on every conversation: as the hub fixes them when they happen.

``first_due_at`` (the due time set at submission; ``due_at`` moves on when the GP
replies), ``response_working_days`` (submission to first response on the response clock)
and ``patient_age_band`` (the patient's age band on the day the request was sent). SQL
cannot compute them portably, so the hub fixes them, the snapshot carries them here, and
the reports read them.

Existing rows are filled here, in Python, a batch at a time: ``first_due_at`` from
``submitted_at`` and the response target the hub uses (``due_at`` may have moved since),
``response_working_days`` from ``submitted_at`` and ``first_response_at``, and the age
band from the date of birth and the London date of submission. A row whose fact cannot
be known (never sent, never answered, no date of birth, a priority without a target)
keeps NULL.

These are the inputs and targets the hub's own migration uses, so both ends agree; each
later snapshot carries the hub's values. The downgrade drops the columns
without rebuilding the table (``recreate="never"``, SQLite 3.35 or later): the store's
connections enforce foreign keys, and rebuilding ``conversations`` would drop the old
table and so delete every message that cascades from it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from bhcp_ag.domain import clock
from bhcp_ag.domain.patient import age_band
from bhcp_ag.domain.targets import ResponseTargets

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH_ROWS = 1000

_conversations = sa.table(
    "conversations",
    sa.column("id", sa.String(36)),
    sa.column("specialty_code", sa.String(3)),
    sa.column("priority", sa.String(16)),
    sa.column("patient_birth_date", sa.Date()),
    sa.column("submitted_at", sa.DateTime()),
    sa.column("first_response_at", sa.DateTime()),
    sa.column("first_due_at", sa.DateTime()),
    sa.column("response_working_days", sa.Float()),
    sa.column("patient_age_band", sa.String(8)),
)


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("response_working_days", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("patient_age_band", sa.String(length=8), nullable=True))
    _fill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("patient_age_band")
        batch_op.drop_column("response_working_days")
        batch_op.drop_column("first_due_at")


# --- filling existing rows ---------------------------------------------------------------


def _fill(connection: sa.Connection) -> None:
    """Fix the three facts on every submitted conversation, a batch at a time."""
    targets = ResponseTargets.load()
    update = (
        sa.update(_conversations)
        .where(_conversations.c.id == sa.bindparam("row_id"))
        .values(
            first_due_at=sa.bindparam("new_first_due_at"),
            response_working_days=sa.bindparam("new_response_working_days"),
            patient_age_band=sa.bindparam("new_patient_age_band"),
        )
    )
    for rows in _batches(connection):
        values = [_facts(row, targets) for row in rows]
        connection.execute(update, values)


def _batches(connection: sa.Connection) -> Iterator[list[sa.Row[Any]]]:
    """The submitted conversations in batches of :data:`BATCH_ROWS`, by id."""
    c = _conversations.c
    columns = (c.id, c.specialty_code, c.priority, c.patient_birth_date)
    query = sa.select(*columns, c.submitted_at, c.first_response_at).where(
        c.submitted_at.is_not(None)
    )
    last = ""
    while True:
        rows = list(connection.execute(query.where(c.id > last).order_by(c.id).limit(BATCH_ROWS)))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _facts(row: sa.Row[Any], targets: ResponseTargets) -> dict[str, Any]:
    submitted = _aware(row.submitted_at)
    responded = _aware(row.first_response_at)
    assert submitted is not None  # only submitted rows are read
    return {
        "row_id": row.id,
        "new_first_due_at": _naive_utc(
            _first_due(submitted, row.specialty_code, row.priority, targets)
        ),
        "new_response_working_days": (
            None if responded is None else clock.working_days_between(submitted, responded)
        ),
        "new_patient_age_band": _age_band(row.patient_birth_date, submitted),
    }


def _first_due(
    submitted: datetime, specialty_code: str, priority: str, targets: ResponseTargets
) -> datetime | None:
    try:
        days = targets.working_days(specialty_code, priority)
    except ValueError:  # an unknown priority, or two-week-wait: no target
        return None
    return clock.due_at(submitted, days)


def _age_band(birth_date: date | None, submitted: datetime) -> str | None:
    if birth_date is None:
        return None
    try:
        return age_band(birth_date, submitted.astimezone(clock.LONDON).date())
    except ValueError:  # born after the request was sent: not a fact to report
        return None


def _aware(moment: datetime | None) -> datetime | None:
    """A stored time (naive UTC) as an aware UTC datetime."""
    return None if moment is None else moment.replace(tzinfo=UTC)


def _naive_utc(moment: datetime | None) -> datetime | None:
    """An aware time as the store's ``UTCDateTime`` keeps it: naive UTC."""
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)
