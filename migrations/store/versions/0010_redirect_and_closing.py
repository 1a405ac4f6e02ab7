"""Redirects and the GP's verdict on closing.

A specialist can pass a request to another specialty: its message says which it left
and which it went to (``messages.from_specialty_code``, ``to_specialty_code``), and
the conversation keeps the specialty whose form the GP filled in
(``conversations.form_specialty_code``) so that the answers keep their questions. On
closing, the GP says whether the advice was useful (``conversations.advice_useful``:
yes, partly or no), which the reports count per specialty: the reports' index (which
holds every column a report reads) is made again with it last.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEX = "ix_conversations_report"
REPORTED = [
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
_COLUMNS = {
    "conversations": (("advice_useful", 8), ("form_specialty_code", 3)),
    "messages": (("from_specialty_code", 3), ("to_specialty_code", 3)),
}


def upgrade() -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            for name, length in columns:
                batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.drop_index(INDEX, table_name="conversations")
    op.create_index(INDEX, "conversations", [*REPORTED, "advice_useful"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="conversations")
    op.create_index(INDEX, "conversations", REPORTED, unique=False)
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            for name, _ in reversed(columns):
                batch_op.drop_column(name)
