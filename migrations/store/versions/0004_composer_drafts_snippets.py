"""Composer drafts (text being written in a conversation) and specialists' reply snippets.

``composer_drafts`` keeps what a user is writing in a conversation as they type, one row
per conversation and user. ``reply_snippets`` holds a specialist's saved wordings. Both
are local to this computer; no existing table changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "composer_drafts",
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("choice", sa.String(length=96), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_composer_drafts_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "user_id", name=op.f("pk_composer_drafts")),
    )
    op.create_table(
        "reply_snippets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_snippets")),
    )
    with op.batch_alter_table("reply_snippets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_snippets_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reply_snippets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_snippets_user_id"))
    op.drop_table("reply_snippets")
    op.drop_table("composer_drafts")
