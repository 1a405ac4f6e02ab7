"""Client version checks and validation messages, without a running hub."""

from __future__ import annotations

import pytest

from bhcp_ag.hub.compat import check_client, parse_version
from bhcp_ag.hub.errors import HubError, describe_problem


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("0.1.0", (0, 1, 0)),
        ("1.2", (1, 2, 0)),
        ("2", (2, 0, 0)),
        ("0.2.0rc1", (0, 2, 0)),
        ("1.0.0+local", (1, 0, 0)),
        ("banana", None),
        ("", None),
        ("1..2", None),
    ],
)
def test_parse_version(text: str, version: tuple[int, int, int] | None) -> None:
    assert parse_version(text) == version


def test_check_client_accepts_current_and_newer_clients() -> None:
    check_client("0.1.0", "1", "0.1.0", frozenset({1}))
    check_client("3.0", "2", "0.1.0", frozenset({1, 2}))


@pytest.mark.parametrize(
    ("version", "schema", "code"),
    [
        (None, "1", "client_too_old"),
        ("0.0.1", "1", "client_too_old"),
        ("0.1.0", None, "schema_required"),
        ("0.1.0", "x", "schema_required"),
        ("0.1.0", "3", "hub_too_old"),
    ],
)
def test_check_client_refusals(version: str | None, schema: str | None, code: str) -> None:
    with pytest.raises(HubError) as refusal:
        check_client(version, schema, "0.1.0", frozenset({1, 2}))
    assert (refusal.value.status, refusal.value.code) == (426, code)


def test_problems_are_described_in_words() -> None:
    assert describe_problem({"type": "missing", "loc": ("body", "password")}) == (
        "The field 'password' is missing."
    )
    assert describe_problem(
        {"type": "string_too_long", "loc": ("body", "username"), "ctx": {"max_length": 200}}
    ) == ("The field 'username' is too long: at most 200 characters.")
    assert describe_problem({"type": "int_parsing", "loc": ("query", "limit")}) == (
        "The query parameter 'limit' must be a whole number."
    )
    assert describe_problem({"type": "model_attributes_type", "loc": ("body",)}).startswith(
        "The request body must be a JSON object"
    )
