"""The hub's web application: :func:`create_app` builds it from :class:`HubSettings`.

Nothing happens at import time. The database is opened (and migrated, unless told not
to) when the application starts, and closed when it stops. Routes live under
``/api/v1``; every one except ``/api/v1/health`` requires the client version headers
(:mod:`bhcp_ag.hub.compat`). The OpenAPI document is at ``/openapi.json``; the
interactive docs pages are off, since they would load scripts from a CDN.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.deps import HubServices, Services, check_client_headers
from bhcp_ag.hub.errors import HubError, error_response, install_error_handlers
from bhcp_ag.hub.identity import DEMO
from bhcp_ag.hub.openapi import install_openapi
from bhcp_ag.hub.routes import admin, attachments, conversations, reference, session, sync
from bhcp_ag.hub.schemas import ErrorBody, Health
from bhcp_ag.hub.security import Passwords
from bhcp_ag.hub.settings import HUB_VERSION, HubSettings
from bhcp_ag.hub.throttle import SignInThrottle

API_PREFIX = "/api/v1"
SIGN_IN_THREADS = 8  # of the 40 threads that serve requests: the rest stay for sync

SERVER_OPTIONS: dict[str, Any] = {"ws": "none", "proxy_headers": False}
"""uvicorn options every way of running the hub uses. ``proxy_headers`` off: uvicorn
would otherwise believe ``X-Forwarded-For`` from any loopback peer and hide the real
one; the hub decides itself whom to believe (:mod:`bhcp_ag.hub.addresses`)."""


class RequestSizeLimit:
    """Refuses request bodies over ``max_bytes`` with 413, before they are read whole.

    A body with a ``Content-Length`` over the limit is refused at once. A body without
    one (``Transfer-Encoding: chunked``) is counted as it arrives, at most ``max_bytes``
    of it held, and the request goes to the application only once it has ended within
    the limit; past the limit the rest is read and dropped (up to :data:`DRAIN_FACTOR`
    times the limit) so that the client, still sending, reads the 413.
    """

    DRAIN_FACTOR = 8

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> HubError:
        megabytes = self.max_bytes / (1024 * 1024)
        return HubError(
            413,
            "request_too_large",
            f"The request is larger than this hub takes ({megabytes:g} MB).",
        )

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = self._too_large()
        await error_response(error.status, error.code, error.detail)(scope, receive, send)

    async def _read_within_limit(self, receive: Receive) -> list[Message] | None:
        """The body's messages, or None (the rest drained) when it goes over the limit."""
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return [*messages, message]  # the client went away: let the app see it
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._drain(receive, message, received)
                return None
            messages.append(message)
            if not message.get("more_body", False):
                return messages

    async def _drain(self, receive: Receive, message: Message, received: int) -> None:
        while message.get("more_body", False) and received <= self.max_bytes * self.DRAIN_FACTOR:
            message = await receive()
            received += len(message.get("body", b""))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        messages = await self._read_within_limit(receive)
        if messages is None:
            await self._refuse(scope, receive, send)
            return
        replay = iter(messages)

        async def buffered() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, buffered, send)


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", response_model=Health, responses={503: {"model": ErrorBody}})
    def health(services: Services) -> Health:
        """Whether the hub is up, its version, and the client versions it serves."""
        try:
            with services.database.engine.connect() as connection:
                hub_id, kind = connection.execute(
                    text("SELECT id, kind FROM hub_identity LIMIT 1")
                ).one()
        except Exception:
            raise HubError(
                503, "database_unavailable", "The hub cannot reach its database just now."
            ) from None
        settings = services.settings
        return Health(
            status="ok",
            hub_version=HUB_VERSION,
            api_version="v1",
            schema_versions=sorted(settings.schema_versions),
            min_client_version=settings.min_client_version,
            hub_id=hub_id,
            demo=kind == DEMO,
        )

    return router


def _api_router() -> APIRouter:
    router = APIRouter(
        dependencies=[Depends(check_client_headers)], responses={426: {"model": ErrorBody}}
    )
    for module in (session, admin, reference, conversations, sync, attachments):
        router.include_router(module.router)
    return router


def _services(settings: HubSettings, database: HubDatabase) -> HubServices:
    """What the routes share: built once, when the hub starts (in its event loop)."""
    return HubServices(
        settings,
        database,
        Passwords(settings.password_parameters),
        SignInThrottle(settings),
        SpecialtyCatalogue.load(),
        ResponseTargets.load(),
        CapacityLimiter(SIGN_IN_THREADS),
    )


WORKER_SETTINGS_ENV = "BHCP_AG_HUB_WORKER_SETTINGS"
"""Where ``bhcp-ag-hub serve --workers N`` leaves the settings for its worker processes
(JSON): uvicorn starts each worker from an import string, so they cannot be handed over
as an object. The environment is the serving user's own (``/proc/<pid>/environ`` is
readable by them and root only), as for any server given its database URL."""


def worker_settings_json(settings: HubSettings) -> str:
    """The part of ``settings`` that ``serve`` sets, for :func:`app_from_environment`."""
    return json.dumps(
        {
            "database_url": settings.database_url,
            "trusted_proxies": list(settings.trusted_proxies),
            "token_idle_minutes": settings.token_idle_timeout.total_seconds() / 60,
        }
    )


def app_from_environment() -> FastAPI:
    """The hub of one worker process of ``serve --workers N`` (a uvicorn app factory).

    Every worker serves the same database, and the hub keeps nothing between requests
    that another process would need (tokens, the sign-in throttle, the feed and the
    audit are in the database). ``serve`` migrated the database before starting them,
    so workers do not race to migrate it.
    """
    given = json.loads(os.environ[WORKER_SETTINGS_ENV])
    settings = HubSettings(
        database_url=str(given["database_url"]),
        trusted_proxies=tuple(str(proxy) for proxy in given["trusted_proxies"]),
        token_idle_timeout=timedelta(minutes=float(given["token_idle_minutes"])),
        migrate_on_start=False,
    )
    return create_app(settings)


def create_app(settings: HubSettings, *, database: HubDatabase | None = None) -> FastAPI:
    """The hub application; opens ``settings.database_url`` at start unless given ``database``.

    A database passed in is the caller's to close; one opened here is closed at shutdown.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if database is not None:
            opened = database
        else:
            opened = await run_in_threadpool(
                HubDatabase.open, settings.database_url, migrate_schema=settings.migrate_on_start
            )
        app.state.hub = _services(settings, opened)
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        try:
            yield
        finally:
            if database is None:
                opened.close()

    app = FastAPI(
        title="bhcp-ag hub",
        summary="Advice and Guidance hub of Bay Health and Care Partners",
        version=HUB_VERSION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(_health_router(), prefix=API_PREFIX)
    app.include_router(_api_router(), prefix=API_PREFIX)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    return app


def openapi_document(settings: HubSettings | None = None) -> dict[str, Any]:
    """The OpenAPI document, without starting the hub (for docs and client generators)."""
    return create_app(settings or HubSettings(database_url="sqlite://")).openapi()
