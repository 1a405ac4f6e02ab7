"""The list's search of the question's words reads an index of (question, id).

A search for words (``question LIKE '%words%'``) cannot seek in any index, but a scan of
this one reads about a fortieth of the table's pages: on 100,000 conversations, 8 ms for
the matching rows against 62 ms scanning the table (and 115 ms reading the rows in the
list's order), ``bench/bench_conversation_list.py``. With the id it covers a read of the
matches' ids alone (:func:`bhcp_ag.store.conversations.search_matches`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversations_question", "conversations", ["question", "id"])


def downgrade() -> None:
    op.drop_index("ix_conversations_question", table_name="conversations")
