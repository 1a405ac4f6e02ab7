"""The report index: its name and columns, apart from the report's SQL, so that the store's
and the hub's models name it without loading the reports (a desk's start, issue 13)."""

from __future__ import annotations

REPORT_INDEX = "ix_conversations_report"
REPORT_COLUMNS = (
    "submitted_at",
    "status",
    "practice_code",
    "specialty_code",
    "priority",
    "would_have_referred",
    "referral_avoided",
    "first_response_at",
    "first_due_at",
    "response_working_days",
    "due_at",
    "closed_at",
    "patient_age_band",
    "patient_sex",
    "advice_useful",
)
"""Every column a report reads, the period's first: the store and the hub index the
conversations on them all, so that a report reads only the index (119 MB against 863 MB
of table for 1,000,000 conversations), never the rows with their clinical text."""
