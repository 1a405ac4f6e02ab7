"""Errors as the hub's clients see them: ``{"detail": "<words>", "code": "<machine code>"}``.

Every refusal is a :class:`HubError` with a status, a stable ``code`` that clients may
branch on, and a ``detail`` a person can read. FastAPI's own errors (validation, unknown
routes, wrong methods) and anything unexpected are turned into the same shape here, so
malformed input never produces a 500 and no response is ever HTML.

What is logged of an unexpected error is its type and stack
(:mod:`bhcp_ag.sqlkit.loggable`), never its message: a database's message can quote the
values of a row ("Failing row contains …"), and a row holds a patient's details.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bhcp_ag.sqlkit.loggable import loggable

log = logging.getLogger(__name__)

_LOCATIONS = {
    "body": "",
    "query": "query parameter ",
    "header": "header ",
    "path": "",
    "cookie": "",
}
_MAX_MESSAGES = 3


class HubError(Exception):
    """A refusal with its HTTP status, machine ``code`` and readable ``detail``.

    ``keep_changes`` asks the request's unit of work to commit what it wrote before the
    refusal (the audit entry of a refused read, the count of a failed sign-in).
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        keep_changes: bool = False,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.keep_changes = keep_changes


def error_response(
    status: int, code: str, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, **extra}, status, dict(headers or {}))


def _shown(part: object) -> str:
    """A part of a field's name as the client sent it (a key of theirs): printable, short."""
    return "".join(c if c.isprintable() else "?" for c in str(part)[:60])


def _field_name(location: Sequence[Any]) -> tuple[str, str]:
    """(kind of place, dotted field name) for a pydantic error location.

    A location can hold a key the client chose (a template answer's); it is shown with
    anything unprintable (a lone surrogate, a NUL) as ``?``, so the words can be stored
    and sent back whatever the key.
    """
    parts = list(location)
    kind = _LOCATIONS.get(str(parts[0]), "") if parts else ""
    if parts and str(parts[0]) in _LOCATIONS:
        parts = parts[1:]
    return kind, ".".join(_shown(part) for part in parts)


def describe_problem(error: Mapping[str, Any]) -> str:
    """One validation error in words: which field, and what is wrong with it."""
    kind, field = _field_name(error.get("loc", ()))
    kind_type = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if not field:
        return "The request body must be a JSON object with the fields this request takes."
    name = f"The {kind or 'field '}'{field}'"
    if kind_type == "missing":
        return f"{name} is missing."
    if kind_type == "string_too_long":
        return f"{name} is too long: at most {ctx.get('max_length')} characters."
    if kind_type == "string_too_short":
        return f"{name} is too short: at least {ctx.get('min_length')} characters."
    if kind_type == "too_long":
        return f"{name} has too many items: at most {ctx.get('max_length')}."
    if kind_type == "string_type":
        return f"{name} must be text."
    if kind_type in ("int_type", "int_parsing", "int_from_float"):
        return f"{name} must be a whole number."
    if kind_type in ("bool_type", "bool_parsing"):
        return f"{name} must be true or false."
    if kind_type in ("list_type", "tuple_type"):
        return f"{name} must be a list."
    if kind_type in ("enum", "literal_error"):
        return f"{name} must be one of {ctx.get('expected')}."
    if kind_type == "extra_forbidden":
        return f"{name} is not something this request takes; remove it."
    if kind_type == "value_error":
        return f"{name} {str(ctx.get('error', 'is not valid')).rstrip('.')}."
    if kind_type == "string_pattern_mismatch":
        return f"{name} is not in the expected form."
    return f"{name}: {str(error.get('msg', 'is not valid')).rstrip('.')}."


async def _hub_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HubError)
    return error_response(error.status, error.code, error.detail, error.headers)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = list(error.errors())
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return error_response(
            400,
            "bad_json",
            "The request body is not valid JSON; check the brackets, quotes and commas.",
        )
    messages = list(dict.fromkeys(describe_problem(problem) for problem in problems))
    more = len(messages) - _MAX_MESSAGES
    detail = " ".join(messages[:_MAX_MESSAGES]) + (f" (and {more} more)" if more > 0 else "")
    fields = [_field_name(problem.get("loc", ()))[1] for problem in problems]
    return error_response(422, "invalid_input", detail, fields=fields)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 404:
        return error_response(
            404, "not_found", f"This hub has nothing at {request.url.path[:200]}.", headers
        )
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
        return error_response(
            405,
            "method_not_allowed",
            f"{request.url.path[:200]} does not take {request.method} requests.",
            headers,
        )
    return error_response(error.status_code, "http_error", str(error.detail), headers)


UNEXPECTED = (
    "The hub met an unexpected problem and did not finish this request. Try again; if it "
    "keeps happening, tell the hub's administrator."
)


class UnexpectedErrors:
    """The last resort: a 500 in the hub's shape for an error nothing else handled.

    Starlette's own last resort answers and then raises the error again for the server to
    log, message and all; this one logs only what :func:`loggable` gives and keeps the
    error from the server.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            log.error(
                "Unexpected error in %s %s: %s",
                scope.get("method"),
                str(scope.get("path", ""))[:200],
                loggable(error),
            )
            if not started:
                await error_response(500, "internal_error", UNEXPECTED)(scope, receive, send)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the application takes at this request's path.

    Starlette's own ``Allow`` names only the first route matching the path, and a path
    served by several routes (``GET`` and ``PUT`` of one resource) takes all their methods;
    so each method is asked of the routes as a request of its own.
    """
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HubError, _hub_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(UnexpectedErrors)
