"""Accounts and sessions: deactivation, idle expiry, sign-in throttle by account and address.

- ``users.deactivated_at``: when an administrator deactivated the account (``active``
  stays the switch that sign-in and every request check).
- ``tokens.client_address`` and ``tokens.user_agent``: where a session was signed in
  from, for the list of a user's sessions (``created_at`` and ``last_used_at`` were there).
- ``failed_sign_ins``: counted per (username, address) pair and per username; the
  per-address index goes, as nothing counts by address alone any more, and one on
  ``at`` lets every sign-in forget the failures that have left the window cheaply.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client_address", sa.String(length=45), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("user_agent", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("failed_sign_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_failed_sign_ins_client_address_at")
        batch_op.create_index(
            "ix_failed_sign_ins_username_client_address_at",
            ["username", "client_address", "at"],
            unique=False,
        )
        batch_op.create_index("ix_failed_sign_ins_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("failed_sign_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_failed_sign_ins_at")
        batch_op.drop_index("ix_failed_sign_ins_username_client_address_at")
        batch_op.create_index(
            "ix_failed_sign_ins_client_address_at", ["client_address", "at"], unique=False
        )
    # Columns dropped without rebuilding the tables (SQLite 3.35 or later): the hub's
    # connections enforce foreign keys, and rebuilding users would break them.
    with op.batch_alter_table("tokens", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("user_agent")
        batch_op.drop_column("client_address")
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("deactivated_at")
