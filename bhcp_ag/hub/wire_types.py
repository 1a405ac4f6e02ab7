"""The types every value a client sends goes through, so the hub can store and serve it.

Whatever the hub accepts it must be able to store (in SQLite and in PostgreSQL's
``text``), serve as JSON and sync back to every desk in scope. So the checks live here,
once, for every change kind's payload (:mod:`bhcp_ag.hub.sync_schemas`):

- :data:`WireText`: text that encodes to UTF-8 strictly (no lone surrogate, U+D800 to
  U+DFFF, which PostgreSQL refuses and JSON cannot carry) and holds no NUL (which
  PostgreSQL's ``text`` cannot hold). Every text field is built on it.
- :data:`TemplateAnswer`: one answer of a specialty's template: text, a number, yes/no,
  a list of choices, or nothing, each with a bound on its size. Numbers are bounded
  here before Python turns them into floats (``float(10**400)`` raises), non-finite
  ones refused; the template's own range for the field is checked by the domain.
- :data:`WireDateTime` and :data:`WireDate`: RFC 3339 text only (``0`` is not a date).

A value outside these is refused with a message naming the field and the bound; for a
change that is a final rejection (``invalid_payload``), never ``retry``. The message
never repeats the value itself (patient data).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue

MAX_TEXT_INPUT = 20_000
"""Characters of a free-text field on the wire; the domain then applies the national 8,000."""
MAX_ANSWER_CHARS = MAX_TEXT_INPUT
"""Characters of one template answer (the template's own limit is checked after)."""
MAX_ANSWER_ITEMS = 50
"""Items in a list answer (a multiple choice); no template offers more than a dozen."""
MAX_ITEM_CHARS = 200
"""Characters of one item of a list answer (a choice's words)."""
MAX_ANSWERS = 50
"""Answers in one request's template (no template has more than a dozen fields)."""
MAX_ANSWER_KEY = 60
MAX_WIRE_NUMBER = 10**9
"""The largest size of a number answer; each template field has its own, smaller range."""

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored in PostgreSQL ``text`` or served as JSON, or None."""
    if "\x00" in text:
        return f"must not contain a NUL character (at position {text.index(chr(0)) + 1})"
    try:
        text.encode("utf-8", errors="strict")
    except UnicodeEncodeError as error:
        return (
            f"holds a character that is not valid Unicode text (U+{ord(text[error.start]):04X} "
            f"at position {error.start + 1}, half of a pair); type or paste that part again"
        )
    return None


STORABLE_PATTERN = r"^[^\u0000]*$"
"""The rule as the OpenAPI document says it: no NUL. A lone surrogate is not Unicode text
at all (I-JSON, RFC 7493, forbids it in a JSON string), so no schema pattern names it;
the hub refuses it all the same."""


def _storable(value: object) -> object:
    if isinstance(value, str) and (problem := unstorable(value)) is not None:
        raise ValueError(problem)
    return value


class _Storable:
    """Pydantic annotation: refuse unstorable text first (with words), say so in the schema."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return BeforeValidator(_storable).__get_pydantic_core_schema__(source, handler)

    def __get_pydantic_json_schema__(
        self, schema: Any, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = STORABLE_PATTERN
        return json_schema


STORABLE = _Storable()
"""Refuses text that cannot be stored or served; put it after any ``StringConstraints``
(``Annotated[str, StringConstraints(max_length=40), STORABLE]``) so that it runs first
and the length is checked by pydantic's own string check."""
WireText = Annotated[str, STORABLE]
"""Text a client sends: storable in PostgreSQL and SQLite and servable as JSON."""


def _number(value: int | float) -> int | float:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if abs(value) > MAX_WIRE_NUMBER:  # compared as an int when it is one: no overflow
        raise ValueError(f"is out of range: a number answer is at most {MAX_WIRE_NUMBER:,} in size")
    return value


def _text_answer(value: str, max_length: int) -> str:
    _storable(value)
    if len(value) > max_length:
        raise ValueError(f"is too long: at most {max_length:,} characters")
    return value


def _list_answer(value: list[Any]) -> list[str]:
    if len(value) > MAX_ANSWER_ITEMS:
        raise ValueError(f"has too many items: at most {MAX_ANSWER_ITEMS}")
    if not all(isinstance(item, str) for item in value):
        raise ValueError("must be a list of choices, each one text")
    return [_text_answer(item, MAX_ITEM_CHARS) for item in value]


def _template_answer(value: object) -> object:
    """One template answer within its bounds, else ValueError saying which bound."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return _text_answer(value, MAX_ANSWER_CHARS)
    if isinstance(value, list):
        return _list_answer(value)
    raise ValueError("must be text, a number, true or false, a list of choices, or null")


_ANSWER_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "maxLength": MAX_ANSWER_CHARS, "pattern": STORABLE_PATTERN},
        {"type": "number", "minimum": -MAX_WIRE_NUMBER, "maximum": MAX_WIRE_NUMBER},
        {"type": "boolean"},
        {
            "type": "array",
            "items": {"type": "string", "maxLength": MAX_ITEM_CHARS, "pattern": STORABLE_PATTERN},
            "maxItems": MAX_ANSWER_ITEMS,
        },
        {"type": "null"},
    ]
}

TemplateAnswer = Annotated[
    object, PlainValidator(_template_answer), WithJsonSchema(_ANSWER_SCHEMA, mode="validation")
]
AnswerKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ANSWER_KEY), STORABLE]


def _date_time(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        raise ValueError("must be a date and time such as 2026-11-23T10:00:00Z (RFC 3339)")
    try:
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("is not a real date and time") from None


def _date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a real date") from None


WireDateTime = Annotated[
    datetime,
    PlainValidator(_date_time),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="validation"),
]
"""A time a client sends: RFC 3339 text with its offset (a number is refused)."""
WireDate = Annotated[
    date,
    PlainValidator(_date),
    WithJsonSchema({"type": "string", "format": "date"}, mode="validation"),
]
"""A date a client sends: ``YYYY-MM-DD`` text (a number is refused)."""
