"""One index holding every column the reports read, so that a report reads only it.

A report (every measure, for a period, in any breakdown) selects conversations by the
time they were sent and reads fourteen short columns; the rows also carry the request's
clinical text, so reading them means reading the whole table (863 MB for 1,000,000
conversations at the hub, against 119 MB for this index). With it, PostgreSQL and SQLite
answer a report from the index alone (see ``bench/bench_hub_reports.py`` and
``bench/bench_reports.py``).

The columns are written out here, not imported: a migration is history and must not
change when the code's list does.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "ix_conversations_report"
COLUMNS = [
    "submitted_at",
    "status",
    "practice_code",
    "specialty_code",
    "priority",
    "would_have_referred",
    "referral_avoided",
    "first_response_at",
    "first_due_at",
    "response_working_days",
    "due_at",
    "closed_at",
    "patient_age_band",
    "patient_sex",
]


def upgrade() -> None:
    op.create_index(INDEX, "conversations", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="conversations")
