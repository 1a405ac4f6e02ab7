"""The sync protocol's two routes: push a client's changes, pull what changed in its scope.

A push checks the caller in a short transaction of its own
(:func:`bhcp_ag.hub.deps.caller_in_own_transaction`), then applies each change in a unit
of work of its own (:mod:`bhcp_ag.hub.push`). A pull checks the caller and looks at the
feed on one connection without a unit of work (:func:`bhcp_ag.hub.pull.nothing_new`:
the idle check every open desk makes every 30 seconds ends there), and reads a page
that has something in one unit of work (:mod:`bhcp_ag.hub.pull`). A pull's body is
written straight to JSON from plain rows; :class:`~bhcp_ag.hub.sync_schemas.PullPage`
documents its shape.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from bhcp_ag.hub.deps import (
    ClientAddress,
    Credentials,
    Services,
    SyncCaller,
)
from bhcp_ag.hub.feed import CURSOR_PATTERN
from bhcp_ag.hub.pull import DEFAULT_LIMIT, MAX_LIMIT, nothing_new, pull_page
from bhcp_ag.hub.push import PushContext, push_changes
from bhcp_ag.hub.schemas import ErrorBody
from bhcp_ag.hub.sync_schemas import PullPage, PushRequest, PushResponse

router = APIRouter(tags=["sync"])

_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody},
    413: {"model": ErrorBody},
    422: {"model": ErrorBody},
}


@router.post("/sync/push", response_model=PushResponse, responses=_REFUSALS)
def push(
    body: PushRequest, caller: SyncCaller, services: Services, address: ClientAddress
) -> PushResponse:
    """Apply up to 100 changes in order, each at most once; one result per change."""
    context = PushContext(
        database=services.database,
        caller=caller,
        address=address,
        now=services.settings.now,
        targets=services.targets,
        catalogue=services.catalogue,
    )
    return PushResponse(results=push_changes(context, body.changes))


@router.get(
    "/sync/pull",
    response_class=Response,
    responses={
        200: {"model": PullPage, "description": "One page of snapshots"},
        400: {"model": ErrorBody},
        **_REFUSALS,
    },
)
def pull(
    credentials: Credentials,
    services: Services,
    address: ClientAddress,
    cursor: Annotated[
        str | None,
        Query(
            max_length=60,
            description="The next_cursor of the page before; omitted for the beginning",
            json_schema_extra={"pattern": CURSOR_PATTERN},  # checked by the feed, 400
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """The conversations in your scope changed after ``cursor``, with the next cursor."""
    with services.database.reading() as connection:  # the idle check: see nothing_new
        idle = services.settings.token_idle_timeout
        caller, after, page = nothing_new(connection, credentials, idle, cursor)
    if page is None:
        page = pull_page(services.database, caller, after, limit, address)
    content = json.dumps(page, ensure_ascii=False, separators=(",", ":"))
    return Response(content.encode("utf-8"), media_type="application/json")
