"""Indexes for the conversation list's SQL sorting and filtering, and the app_state table.

The list sorts and filters 100,000 conversations in SQL (see bench/); without these
indexes each sort is a full scan. ``app_state`` holds small facts about the store
(who is signed in here, later the sync cursor).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Each sort column is indexed together with the id that breaks ties, so that a sorted
# list of ids is read straight from the index (76 ms for 100,000 rows, against 290 ms
# with a sort of its own; see bench/).
_INDEXES = {
    "ix_conversations_due_at": ["due_at", "id"],
    "ix_conversations_submitted_at": ["submitted_at", "id"],
    "ix_conversations_updated_at": ["updated_at", "id"],
    "ix_conversations_status": ["status", "id"],
    "ix_conversations_priority": ["priority", "id"],
    "ix_conversations_patient": ["patient_nhs_number", "id"],
    "ix_conversations_specialty": ["specialty_code", "id"],
    "ix_conversations_practice_status": ["practice_code", "status"],
    "ix_conversations_specialty_status_due": ["specialty_code", "status", "due_at"],
}


def upgrade() -> None:
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_state")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        for name, columns in _INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        for name in _INDEXES:
            batch_op.drop_index(name)
    op.drop_table("app_state")
