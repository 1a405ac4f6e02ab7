"""The OpenAPI document as the hub really answers, not as FastAPI assumes by default.

FastAPI describes every 422 with its own validation body; the hub rewrites validation
errors (:mod:`bhcp_ag.hub.errors`), so here every 422 is :class:`ValidationErrorBody`,
every operation that takes a body also answers ``400 bad_json`` (a body that is not
JSON) and ``413 request_too_large`` (:class:`bhcp_ag.hub.app.RequestSizeLimit`), and
FastAPI's unused validation schemas are dropped. ``tests/integration/test_hub_contract.py``
holds the hub to this document with schemathesis.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from bhcp_ag.hub.schemas import ErrorBody


class ValidationErrorBody(ErrorBody):
    """A request that does not fit: what is wrong in words and, when the request's shape
    is wrong (``invalid_input``), the fields concerned; a rule beyond the shape (a GP
    without a practice, say) has a code of its own and no ``fields``."""

    fields: list[str] = []


def _error(name: str, description: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{name}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_INVALID = _error("ValidationErrorBody", "The request does not fit: which fields, and why")
_BAD_JSON = _error("ErrorBody", "bad_json: the body is not valid JSON")
_TOO_LARGE = _error("ErrorBody", "request_too_large: the body is over the hub's limit")
_OPERATIONS = ("get", "put", "post", "delete", "patch")


def _describe_operation(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    if operation.get("parameters") or "requestBody" in operation:
        responses["422"] = _INVALID
    if "requestBody" in operation:
        responses.setdefault("400", _BAD_JSON)
        responses.setdefault("413", _TOO_LARGE)


def describe_errors(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the hub's real error answers (changed in place, and returned)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["ValidationErrorBody"] = ValidationErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    for path in document.get("paths", {}).values():
        for method, operation in path.items():
            if method in _OPERATIONS:
                _describe_operation(operation)
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`describe_errors` of FastAPI's document at ``app.openapi_url``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            app.openapi_schema = describe_errors(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
