"""Accounts and sessions: deactivation, idle expiry, sign-in throttle by account and address.

(A placeholder made so that parallel work chains in one line; filled in by its change.)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
