"""The conversation list sorts by practice: an index of (practice_code, id).

Like the other sorts (revision 0002), the list reads the ids of each practice in order
straight from the index, one practice after another in the order of their names.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversations_practice", "conversations", ["practice_code", "id"])


def downgrade() -> None:
    op.drop_index("ix_conversations_practice", table_name="conversations")
