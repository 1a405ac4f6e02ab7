"""Step 2 of a sync cycle: pull pages of snapshots until the hub has no more.

Each page is applied in one transaction that also stores its ``next_cursor``, so a
failure mid-page moves neither rows nor cursor. Attachment bytes the store lacks are
fetched (by SHA-256, checked) before that transaction opens: no network wait holds the
store's write lock. Conversations held back because local changes were pending are
fetched again once those changes have been pushed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bhcp_ag.store.db import Store
from bhcp_ag.store.sync_state import (
    Row,
    apply_page,
    drop_conversations,
    held_back_ids,
    missing_contents,
    pending_conversation_ids,
    read_state,
    release_held_back,
    replace_conversations,
)
from bhcp_ag.sync.client import HubClient
from bhcp_ag.sync.errors import HubError
from bhcp_ag.sync.report import Tally
from bhcp_ag.sync.snapshots import attachment_types, snapshot_rows
from bhcp_ag.sync.wire import Json

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 1000
MAX_EMPTY_PAGES = 3  # a hub saying "more" with nothing new is asked again, then left


def fetch_missing_contents(
    store: Store, client: HubClient, conversations: Iterable[Json]
) -> list[Row]:
    """Rows of ``attachment_contents`` for attachments this store does not hold yet."""
    types = attachment_types(conversations)
    with store.read_session() as session:
        missing = missing_contents(session, types)
    rows: list[Row] = []
    for sha256 in sorted(missing):
        data = client.download_attachment(sha256)
        rows.append(
            {"sha256": sha256, "mime_type": types[sha256], "size": len(data), "content": data}
        )
    return rows


def pull_all(
    store: Store, client: HubClient, tally: Tally, *, cursor_key: str, page_size: int
) -> None:
    """Pull and apply pages from the stored cursor until ``more`` is false.

    ``tally.received`` counts the conversations of each page once it is applied, and
    ``tally.progressed()`` is called after each page.
    """
    with store.read_session() as session:
        cursor = read_state(session, cursor_key)
    empty_pages = 0
    while not tally.stop.is_set():
        page = client.pull(cursor, page_size)
        rows = snapshot_rows(page.conversations, page.users)
        rows.contents = fetch_missing_contents(store, client, page.conversations)
        with store.session() as session:
            applied = apply_page(
                session, rows, cursor_key=cursor_key, next_cursor=page.next_cursor, gone=page.gone
            )
        tally.pulled += applied.applied
        tally.received += len(page.conversations)
        tally.progressed()
        stalled = not page.conversations and page.next_cursor == cursor
        empty_pages = empty_pages + 1 if stalled else 0
        cursor = page.next_cursor
        if not page.more or empty_pages >= MAX_EMPTY_PAGES:
            return


def refetch_held_back(store: Store, client: HubClient, tally: Tally) -> None:
    """Fetch again each conversation whose pulled snapshot waited behind local changes."""
    with store.read_session() as session:
        waiting = held_back_ids(session)
    for conversation_id in waiting:
        if tally.stop.is_set():
            return
        try:
            snapshot: Json | None = client.conversation(conversation_id)
        except HubError as error:
            if error.status != 404:
                raise
            snapshot = None  # no longer visible to this user (passed on): its copy goes
        snapshots = [snapshot] if snapshot is not None else []
        rows = snapshot_rows(snapshots)
        rows.contents = fetch_missing_contents(store, client, snapshots)
        with store.session() as session:
            if conversation_id not in pending_conversation_ids(session):
                if snapshot is None:
                    drop_conversations(session, [conversation_id])
                replace_conversations(session, rows)
                release_held_back(session, [conversation_id])
