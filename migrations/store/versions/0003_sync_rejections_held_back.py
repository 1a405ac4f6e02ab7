"""Sync bookkeeping: refused changes (with the user's kept words) and held-back pulls.

``rejected_changes`` records each change the hub refused, why, and the text it carried
(a refused reply or response), for the UI to show. ``held_back_conversations`` lists
conversations whose pulled snapshot waited behind local changes, to fetch again.
The sync cursor itself lives in ``app_state``; no existing table changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rejected_changes",
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kept_text", sa.Text(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("change_id", name=op.f("pk_rejected_changes")),
    )
    with op.batch_alter_table("rejected_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rejected_changes_conversation_id"), ["conversation_id"], unique=False
        )
    op.create_table(
        "held_back_conversations",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_held_back_conversations")),
    )


def downgrade() -> None:
    op.drop_table("held_back_conversations")
    with op.batch_alter_table("rejected_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejected_changes_conversation_id"))
    op.drop_table("rejected_changes")
