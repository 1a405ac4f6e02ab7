"""The hub's own identity, which a desk's store is bound to, and whether it is a demo hub.

One row: a new random id, and the kind. A hub that already has the demo accounts was
made by ``bhcp-ag-hub demo`` or the embedded hub, so it is a demo hub; any other is live
(it refuses synthetic NHS numbers). Later, :func:`bhcp_ag.hub.identity.mark_demo` makes
a new hub a demo hub when demo data is seeded.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "hub_identity",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_identity")),
    )
    demo = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM users WHERE username = 'demo.admin'"))
        .scalar_one()
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as UTCDateTime stores it there
    op.bulk_insert(
        table,
        [{"id": str(uuid.uuid4()), "kind": "demo" if demo else "live", "created_at": now}],
    )


def downgrade() -> None:
    op.drop_table("hub_identity")
