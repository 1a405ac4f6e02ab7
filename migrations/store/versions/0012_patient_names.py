"""The patient's names on every request.

A request carried NHS number, date of birth and sex but no name, so a specialist could
not check identity on three identifiers. ``conversations.patient_family_name`` and
``patient_given_name`` hold them (up to the Data Dictionary's 35 characters once sent; a
draft's field takes up to 100). Requests sent before this hold "" and are shown as
"name not recorded".

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_NAMES = ("patient_family_name", "patient_given_name")


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None, recreate="never") as batch_op:
        for name in _NAMES:
            batch_op.add_column(
                sa.Column(name, sa.String(length=100), nullable=False, server_default="")
            )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None, recreate="never") as batch_op:
        for name in reversed(_NAMES):
            batch_op.drop_column(name)
