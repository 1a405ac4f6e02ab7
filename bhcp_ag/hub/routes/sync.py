"""The sync protocol's two routes: push a client's changes, pull what changed in its scope.

Both check the caller in a short transaction of their own
(:func:`bhcp_ag.hub.deps.caller_in_own_transaction`) and then run their own units of
work: a push one per change (:mod:`bhcp_ag.hub.push`), a pull one per page
(:mod:`bhcp_ag.hub.pull`). A pull's body is written straight to JSON from plain rows;
:class:`~bhcp_ag.hub.sync_schemas.PullPage` documents its shape.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from bhcp_ag.hub.deps import ClientAddress, Services, SyncCaller
from bhcp_ag.hub.feed import CURSOR_PATTERN
from bhcp_ag.hub.pull import DEFAULT_LIMIT, MAX_LIMIT, pull_page
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
    caller: SyncCaller,
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
    page = pull_page(services.database, caller, cursor, limit, address)
    content = json.dumps(page, ensure_ascii=False, separators=(",", ":"))
    return Response(content.encode("utf-8"), media_type="application/json")
