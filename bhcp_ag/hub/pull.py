"""Pulls: the conversations in the caller's scope that changed after their cursor.

One page is one unit of work that reads the feed first (:func:`bhcp_ag.hub.feed.read_feed`,
before anything is written, so on PostgreSQL the pull has no transaction id of its own
holding the feed's horizon back), then the page's snapshots, then writes its audit
entries. On PostgreSQL the page runs at ``REPEATABLE READ``: the feed, the conversations
and their messages are all read from one snapshot of the database, so a snapshot never
mixes a conversation's old state with a newer message.

The audit keeps every conversation a pull served (one ``conversation.read`` each, and
the page's ``sync.pull``). A pull that serves nothing, the idle check every open desk
makes every 30 seconds, writes nothing: no audit row, no commit of a write, so the
hub's cheapest answer is also its most frequent one (issue 13).

A page covers up to ``limit`` feed entries. A conversation appears once per page at most,
and not at all when it has changed since (its newer feed entry lies ahead of the cursor
and will bring the newer snapshot), so a first sync sends each conversation about once.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from bhcp_ag.domain.minimum import content_view
from bhcp_ag.hub import audit
from bhcp_ag.hub.access import Caller, in_scope, news_for_the_user, scope_of
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.deps import signed_in_caller, signed_in_caller_with
from bhcp_ag.hub.errors import HubError
from bhcp_ag.hub.feed import BadCursor, FeedCursor, FeedRow, FeedScope, read_feed
from bhcp_ag.hub.security import TokenQuery, signed_in_query
from bhcp_ag.hub.snapshots import Snapshot, load_snapshots, load_users, referenced_user_ids

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


def parse_cursor(text: str | None) -> FeedCursor:
    """The client's cursor, or 400 for one this hub did not hand out."""
    try:
        return FeedCursor.parse(text)
    except BadCursor as error:
        raise HubError(
            400,
            "bad_cursor",
            f"{error} Pull again without a cursor to start from the beginning.",
        ) from None


def _read_one_snapshot(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def current_snapshots(rows: list[FeedRow], snapshots: dict[str, Snapshot]) -> list[Snapshot]:
    """The page's snapshots in feed order, leaving out those changed since the page's entries."""
    newest: dict[str, int] = {}
    for row in rows:
        newest[row.conversation_id] = max(row.version, newest.get(row.conversation_id, 0))
    return [
        snapshots[conversation_id]
        for conversation_id, version in newest.items()
        if conversation_id in snapshots and snapshots[conversation_id]["version"] <= version
    ]


def split_gone(
    snapshots: dict[str, Snapshot], scope: FeedScope
) -> tuple[dict[str, Snapshot], list[str]]:
    """The snapshots still in ``scope``, and the ids of those that have left it (a request
    passed on to another specialty): whatever their version, the desk must drop them."""
    kept: dict[str, Snapshot] = {}
    gone: list[str] = []
    for conversation_id, snapshot in snapshots.items():
        if in_scope(scope, snapshot["practice_code"], snapshot["specialty_code"]):
            kept[conversation_id] = snapshot
        else:
            gone.append(conversation_id)
    return kept, sorted(gone)


@cache
def _idle_check(dialect: str) -> TokenQuery:
    return signed_in_query(news_for_the_user(dialect).label("waiting"))


def nothing_new(
    connection: Connection,
    credentials: HTTPAuthorizationCredentials | None,
    idle: timedelta,
    cursor: str | None,
) -> tuple[Caller, FeedCursor, dict[str, Any] | None]:
    """The caller, their cursor, and the idle answer (the cursor back) when no feed entry
    in their scope follows it; None for the answer when there is, for :func:`pull_page`.

    One statement on a connection of :meth:`~bhcp_ag.hub.db.HubDatabase.reading`: the
    token, its user and whether anything waits in their scope
    (:func:`~bhcp_ag.hub.access.news_for_the_user`), from one snapshot of the database;
    an entry it cannot see yet (its transaction still running) is seen by a later pull,
    as with any page. One more for a specialist's specialties, and one when the token's
    last use is recorded (once a minute at most). No unit of work, no write otherwise.
    """
    try:
        after = parse_cursor(cursor)
    except HubError:
        signed_in_caller(connection, credentials, idle)  # 401 before 400, as for any pull
        raise
    query = _idle_check(connection.dialect.name)
    caller, row = signed_in_caller_with(
        connection, credentials, idle, query, after_xid=after.xid, after_id=after.id
    )
    if row.waiting:
        return caller, after, None
    idle_page = {"conversations": [], "gone": [], "users": [], "next_cursor": str(after)}
    return caller, after, {**idle_page, "more": False}


def pull_page(
    database: HubDatabase,
    caller: Caller,
    cursor: FeedCursor | str | None,
    limit: int,
    address: str,
) -> dict[str, Any]:
    """One page of the pull, as the JSON-ready body of the response."""
    after = cursor if isinstance(cursor, FeedCursor) else parse_cursor(cursor)
    limit = max(1, min(limit, MAX_LIMIT))
    with database.transaction() as session:
        _read_one_snapshot(session)
        scope = scope_of(caller)
        rows, _ = read_feed(session, scope, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = rows[-1].cursor if rows else after
        view = content_view(caller.role)
        snapshots = load_snapshots(session, (row.conversation_id for row in rows), view)
        snapshots, gone = split_gone(snapshots, scope)
        conversations = current_snapshots(rows, snapshots)
        users = load_users(session, referenced_user_ids(conversations))
        if conversations or gone:  # an idle pull (nothing new) writes nothing at all
            who = {"user_id": caller.id, "username": caller.username, "client_address": address}
            audit.record(
                session,
                "sync.pull",
                cursor=str(after),
                next_cursor=str(next_cursor),
                conversations=len(conversations),
                view=view.value,
                **who,
            )
            audit.record_reads(session, (c["id"] for c in conversations), via="pull", **who)
    return {
        "conversations": conversations,
        "gone": gone,
        "users": users,
        "next_cursor": str(next_cursor),
        "more": more,
    }
