"""Who uploaded which attachment bytes (``attachment_uploads``).

A change may refer to attachment bytes only if its author uploaded them, or if they
already belong to a conversation the author may see: the SHA-256 of a file is not a key
to it. One row per (bytes, user), the first upload's time kept. Existing contents are
filled from their ``uploaded_by_id`` (the first uploader, the only one known so far), so
that a file uploaded before this revision can still be referred to by whoever sent it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLE = "attachment_uploads"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["attachment_contents.sha256"],
            name=op.f("fk_attachment_uploads_sha256_attachment_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_attachment_uploads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("sha256", "user_id", name=op.f("pk_attachment_uploads")),
    )
    op.create_index(op.f("ix_attachment_uploads_user_id"), TABLE, ["user_id"], unique=False)
    op.execute(
        f"INSERT INTO {TABLE} (sha256, user_id, uploaded_at) "
        "SELECT sha256, uploaded_by_id, uploaded_at FROM attachment_contents "
        "WHERE uploaded_by_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_attachment_uploads_user_id"), table_name=TABLE)
    op.drop_table(TABLE)
