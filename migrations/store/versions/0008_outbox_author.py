"""Each queued change says who made it, so that only they push it.

The hub takes a change's author from the token that pushes it. On a computer two
clinicians share, a reply one queued offline and left unsent when they signed out was
pushed by whoever signed in next, and the hub recorded them as its author. Changes now
carry ``user_id``; sync pushes the signed-in user's only.

Changes queued before this revision are given to the user who signed in last on this
computer (whoever queued them was signed in then, and a store has seldom had a second
user); where nobody is known they keep NULL, which sync treats as the legacy "anyone".

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_outbox = sa.table("outbox", sa.column("user_id", sa.String(36)))
_app_state = sa.table("app_state", sa.column("key", sa.String(60)), sa.column("value", sa.Text))
_users = sa.table("users", sa.column("id", sa.String(36)), sa.column("username", sa.String(60)))


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_user_id"), ["user_id"], unique=False)
    connection = op.get_bind()
    last = connection.scalar(
        sa.select(_app_state.c.value).where(_app_state.c.key == "sync.last_username")
    )
    user_id = last and connection.scalar(sa.select(_users.c.id).where(_users.c.username == last))
    if user_id:
        connection.execute(sa.update(_outbox).values(user_id=user_id))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_user_id"))
        batch_op.drop_column("user_id")
