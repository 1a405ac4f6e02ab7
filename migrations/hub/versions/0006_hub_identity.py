"""The hub's own identity, which a desk's store is bound to.

(A placeholder made so that parallel work chains in one line; filled in by its change.)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
