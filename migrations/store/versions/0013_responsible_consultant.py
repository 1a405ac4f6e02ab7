"""The responsible consultant named on every piece of advice.

e-RS's rule: the specialty's consultant keeps responsibility for advice given by others
on the team. ``messages.responsible_consultant`` holds the name of the specialty's lead
(``resources/specialty_leads.csv``) at the moment the advice (or a conversion) was given,
so a later change of lead never rewrites who was responsible. Older advice holds NULL.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("responsible_consultant", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("responsible_consultant")
