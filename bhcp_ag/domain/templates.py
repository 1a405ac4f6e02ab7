"""Structured request templates: what each specialty needs to advise without seeing the patient.

Each specialty's template is data, kept in ``resources/templates/<tfc_code>.json``::

    {"tfc_code": "330", "intro": "...", "photo_expected": true,
     "fields": [{"key": "lesion_site", "label": "Site of the lesion", "type": "text",
                 "required": true, "help": "...", "max_length": 500}, ...]}

A field that only applies to some answers names them in ``shown_when``, e.g.
``{"field": "symptoms", "any_of": ["Chest pain"]}``: it applies (is asked, and checked,
required or not) only while an earlier choice, multichoice or yes/no field has one of
those answers; otherwise it is not asked and never required (:meth:`RequestTemplate.applies`).
A choice field whose answer says whether a photo is attached names its two kinds of
answer in ``photo_answer``, e.g. ``{"without": "No photo", "with": "Clinical only"}``:
the form then answers it from the files attached (:class:`PhotoAnswer`).

:func:`load_template` reads one file strictly: an unknown attribute or type, a duplicate
key, a choice without choices, a ``max_length`` over the national 8,000-character limit
or a key that repeats one of the generic fields every form already has
(:data:`GENERIC_FIELD_KEYS`) raises :class:`TemplateError` (a ``ValueError``) naming the
file and the field.

:meth:`RequestTemplate.validate` checks a GP's answers and returns one human message per
invalid field, keyed by field key. Answers for keys the template does not have are
reported together under :data:`UNKNOWN_ANSWERS_KEY` (``"_unknown"``) rather than being
dropped silently, so a stale draft or a caller's typo shows up.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

from bhcp_ag.paths import RESOURCES_DIR

TEMPLATES_DIR = RESOURCES_DIR / "templates"

MAX_TEXT_LENGTH = 8000
"""The e-Referral Service limit for any free-text field."""

DEFAULT_MAX_LENGTH = {"text": 500, "longtext": MAX_TEXT_LENGTH}

GENERIC_FIELD_KEYS = frozenset(
    {
        "nhs_number",
        "date_of_birth",
        "sex",
        "question",
        "clinical_summary",
        "current_medication",
        "relevant_results",
    }
)
"""Keys of the fields on every request form; a template must not repeat them."""

UNKNOWN_ANSWERS_KEY = "_unknown"
"""Where :meth:`RequestTemplate.validate` reports answers for keys the template lacks."""

_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_ISO_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FieldType(StrEnum):
    TEXT = "text"  # one line
    LONGTEXT = "longtext"  # several lines
    CHOICE = "choice"  # exactly one of ``choices``
    MULTICHOICE = "multichoice"  # any of ``choices``
    NUMBER = "number"  # with ``min`` and ``max`` (both required) and an optional ``unit``
    DATE = "date"
    YESNO = "yesno"


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Condition:
    """When a field applies: while the earlier field ``field`` has one of ``any_of``."""

    field: str
    any_of: tuple[str, ...]

    def holds(self, answers: Mapping[str, object]) -> bool:
        value = answers.get(self.field)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        given = value if isinstance(value, list | tuple | set | frozenset) else [value]
        wanted = {choice.casefold() for choice in self.any_of}
        return any(isinstance(item, str) and item.strip().casefold() in wanted for item in given)


@dataclass(frozen=True)
class PhotoAnswer:
    """A choice that follows the files attached: ``without`` a photo, only that answer
    may be given; with one, any other, ``with_photo`` when none is chosen yet."""

    without: str
    with_photo: str


@dataclass(frozen=True)
class TemplateField:
    key: str
    label: str
    type: FieldType
    required: bool
    help: str
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    shown_when: Condition | None = None
    photo_answer: PhotoAnswer | None = None

    def check(self, value: object) -> str | None:
        """The message for an invalid answer, or None when the answer is acceptable."""
        if _is_blank(value):
            return f"{self.label} is required." if self.required else None
        return _CHECKS[self.type](self, value)


@dataclass(frozen=True)
class RequestTemplate:
    tfc_code: str
    intro: str
    photo_expected: bool
    fields: tuple[TemplateField, ...]

    def field(self, key: str) -> TemplateField:
        for field in self.fields:
            if field.key == key:
                return field
        raise KeyError(f"The {self.tfc_code} template has no field {key!r}.")

    @property
    def required_keys(self) -> tuple[str, ...]:
        return tuple(field.key for field in self.fields if field.required)

    def applies(self, key: str, answers: Mapping[str, object]) -> bool:
        """Whether field ``key`` is asked, given ``answers``: its condition (and that of
        the field the condition looks at, and so on) holds, or it has none."""
        condition = self.field(key).shown_when
        if condition is None:
            return True
        return self.applies(condition.field, answers) and condition.holds(answers)

    def validate(self, answers: Mapping[str, object]) -> dict[str, str]:
        """Field key → message for every invalid answer; an empty dict when all are valid.

        A missing key counts as an empty answer; a field that does not apply to these
        answers (see :meth:`applies`) is neither required nor checked. Keys the template
        does not have are listed in one message under :data:`UNKNOWN_ANSWERS_KEY`.
        """
        problems: dict[str, str] = {}
        for field in self.fields:
            if not self.applies(field.key, answers):
                continue
            message = field.check(answers.get(field.key))
            if message is not None:
                problems[field.key] = message
        known = {field.key for field in self.fields}
        unknown = sorted(str(key) for key in answers if key not in known)
        if unknown:
            problems[UNKNOWN_ANSWERS_KEY] = (
                f"Not on the {self.tfc_code} request form: {', '.join(unknown)}."
            )
        return problems


# --- checking answers ---------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) == 0
    return False


def _check_text(field: TemplateField, value: object) -> str | None:
    if not isinstance(value, str):
        return f"{field.label} must be text."
    text = value.strip()
    if field.type is FieldType.TEXT and ("\n" in text or "\r" in text):
        return f"{field.label} must be a single line."
    limit = field.max_length or MAX_TEXT_LENGTH
    if len(text) > limit:
        return f"{field.label} is too long: {len(text):,} characters, the limit is {limit:,}."
    return None


def _check_choice(field: TemplateField, value: object) -> str | None:
    if isinstance(value, str) and value.strip() in field.choices:
        return None
    return f"Choose one of: {', '.join(field.choices)}."


def _check_multichoice(field: TemplateField, value: object) -> str | None:
    if isinstance(value, list | tuple | set | frozenset) and all(
        isinstance(item, str) and item.strip() in field.choices for item in value
    ):
        if len({str(item).strip() for item in value}) < len(value):
            return f"{field.label}: choose each answer once."
        return None
    return f"Choose one or more of: {', '.join(field.choices)}."


def parse_number(value: object) -> float | None:
    """A finite number from a number or a form's string; None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip())
        else:
            return None
    except (ValueError, OverflowError):  # float(10**400) overflows; "abc" is not a number
        return None
    return number if math.isfinite(number) else None


def _check_number(field: TemplateField, value: object) -> str | None:
    number = parse_number(value)
    in_range = number is not None and (
        (field.min is None or number >= field.min) and (field.max is None or number <= field.max)
    )
    return None if in_range else f"{field.label} must be a number{_range_phrase(field)}."


def _range_phrase(field: TemplateField) -> str:
    """' between 0 and 1440 minutes', ' of at least 0 mg/day', ' (mmHg)' or ''."""
    low, high = field.min, field.max
    if low is not None and high is not None:
        phrase = f" between {_format_number(low)} and {_format_number(high)}"
    elif low is not None:
        phrase = f" of at least {_format_number(low)}"
    elif high is not None:
        phrase = f" of at most {_format_number(high)}"
    else:
        return f" ({field.unit})" if field.unit else ""
    if not field.unit:
        return phrase
    return phrase + (field.unit if field.unit == "%" else f" {field.unit}")


def _format_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def parse_date(value: object) -> date | None:
    """A date from a ``date`` or an ISO ``YYYY-MM-DD`` string; None when it is not one."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE_PATTERN.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _check_date(field: TemplateField, value: object) -> str | None:
    if parse_date(value) is None:
        return f"{field.label} must be a real date, written YYYY-MM-DD."
    return None


def _check_yesno(field: TemplateField, value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lower() in {"yes", "no"}:
        return None
    return f"{field.label} must be yes or no."


_CHECKS: dict[FieldType, Callable[[TemplateField, object], str | None]] = {
    FieldType.TEXT: _check_text,
    FieldType.LONGTEXT: _check_text,
    FieldType.CHOICE: _check_choice,
    FieldType.MULTICHOICE: _check_multichoice,
    FieldType.NUMBER: _check_number,
    FieldType.DATE: _check_date,
    FieldType.YESNO: _check_yesno,
}


# --- loading templates --------------------------------------------------------------------

_TEMPLATE_ATTRIBUTES = frozenset({"tfc_code", "intro", "photo_expected", "fields"})
_COMMON_FIELD_ATTRIBUTES = frozenset({"key", "label", "type", "required", "help", "shown_when"})
_CONDITION_ATTRIBUTES = frozenset({"field", "any_of"})
_OPTIONS_BY_TYPE: dict[FieldType, frozenset[str]] = {
    FieldType.TEXT: frozenset({"max_length"}),
    FieldType.LONGTEXT: frozenset({"max_length"}),
    FieldType.CHOICE: frozenset({"choices", "photo_answer"}),
    FieldType.MULTICHOICE: frozenset({"choices"}),
    FieldType.NUMBER: frozenset({"min", "max", "unit"}),
    FieldType.DATE: frozenset(),
    FieldType.YESNO: frozenset(),
}


def load_template(tfc_code: str, directory: Path | None = None) -> RequestTemplate:
    """Read and check ``<directory>/<tfc_code>.json`` (default: the app's templates).

    Raises FileNotFoundError when there is no file, TemplateError when it is malformed.
    """
    path = (directory or TEMPLATES_DIR) / f"{tfc_code}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise TemplateError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from error
    return parse_template(raw, tfc_code, source=str(path))


def parse_template(raw: object, tfc_code: str, source: str) -> RequestTemplate:
    """Check already-decoded JSON; ``source`` names the file in error messages."""
    if not isinstance(raw, dict):
        _fail(source, "the template must be a JSON object")
    _reject_unknown(raw, _TEMPLATE_ATTRIBUTES, source)
    if raw.get("tfc_code") != tfc_code:
        _fail(source, f"tfc_code is {raw.get('tfc_code')!r}, expected {tfc_code!r}")
    intro = _text(raw, "intro", source)
    photo_expected = _flag(raw, "photo_expected", source)
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        _fail(source, "'fields' must be a non-empty list")
    fields = tuple(
        _parse_field(item, f"{source}: field {index + 1}") for index, item in enumerate(raw_fields)
    )
    seen: dict[str, TemplateField] = {}
    for field in fields:
        if field.key in seen:
            _fail(source, f"field {field.key!r}: duplicate key")
        if field.shown_when is not None:
            _check_condition(field.shown_when, seen, f"{source}: field {field.key!r}")
        seen[field.key] = field
    return RequestTemplate(tfc_code, intro, photo_expected, fields)


def _check_condition(
    condition: Condition, earlier: Mapping[str, TemplateField], where: str
) -> None:
    """A condition looks at an earlier choice, multichoice or yes/no field, by its answers."""
    looked_at = earlier.get(condition.field)
    if looked_at is None:
        _fail(where, f"shown_when names {condition.field!r}, which is not an earlier field")
    if looked_at.type is FieldType.YESNO:
        answers: tuple[str, ...] = ("yes", "no")
    elif looked_at.type in (FieldType.CHOICE, FieldType.MULTICHOICE):
        answers = looked_at.choices
    else:
        _fail(where, f"shown_when must look at a choice or yes/no field, not {looked_at.type}")
    wrong = [value for value in condition.any_of if value not in answers]
    if wrong:
        _fail(
            where, f"shown_when: {', '.join(map(repr, wrong))} not an answer to {looked_at.key!r}"
        )


def _condition(raw: dict[str, Any], where: str) -> Condition | None:
    value = raw.get("shown_when")
    if value is None:
        return None
    if not isinstance(value, dict):
        _fail(where, 'shown_when must be an object: {"field": ..., "any_of": [...]}')
    _reject_unknown(value, _CONDITION_ATTRIBUTES, f"{where} shown_when")
    field = value.get("field")
    any_of = value.get("any_of")
    if not isinstance(field, str) or not isinstance(any_of, list) or not any_of:
        _fail(where, "shown_when needs 'field' (a key) and 'any_of' (a non-empty list)")
    if not all(isinstance(answer, str) for answer in any_of):
        _fail(where, "shown_when: each of 'any_of' must be text")
    return Condition(field, tuple(any_of))


def _parse_field(raw: object, where: str) -> TemplateField:
    if not isinstance(raw, dict):
        _fail(where, "must be a JSON object")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY_PATTERN.match(key):
        _fail(where, f"key {key!r} must be snake_case, e.g. 'lesion_site'")
    where = f"{where} ({key!r})"
    if key in GENERIC_FIELD_KEYS:
        _fail(where, "repeats a field every request form already has")
    try:
        field_type = FieldType(str(raw.get("type")))
    except ValueError:
        known = ", ".join(field_type.value for field_type in FieldType)
        _fail(where, f"unknown type {raw.get('type')!r} (known: {known})")
    _reject_unknown(raw, _COMMON_FIELD_ATTRIBUTES | _OPTIONS_BY_TYPE[field_type], where)
    return TemplateField(
        key=key,
        label=_text(raw, "label", where),
        type=field_type,
        required=_flag(raw, "required", where),
        help=_text(raw, "help", where),
        choices=_choices(raw, field_type, where),
        max_length=_max_length(raw, field_type, where),
        min=_bound(raw, "min", where, field_type),
        max=_bound(raw, "max", where, field_type),
        unit=_text(raw, "unit", where) if "unit" in raw else None,
        shown_when=_condition(raw, where),
        photo_answer=_photo_answer(raw, _choices(raw, field_type, where), where),
    )


def _photo_answer(raw: dict[str, Any], choices: tuple[str, ...], where: str) -> PhotoAnswer | None:
    value = raw.get("photo_answer")
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"without", "with"}:
        _fail(where, 'photo_answer must be {"without": <a choice>, "with": <a choice>}')
    if value["without"] not in choices or value["with"] not in choices:
        _fail(where, "photo_answer: 'without' and 'with' must each be one of the choices")
    if value["without"] == value["with"]:
        _fail(where, "photo_answer: 'without' and 'with' must differ")
    return PhotoAnswer(value["without"], value["with"])


def _choices(raw: dict[str, Any], field_type: FieldType, where: str) -> tuple[str, ...]:
    if field_type not in (FieldType.CHOICE, FieldType.MULTICHOICE):
        return ()
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        _fail(where, f"a {field_type} field needs 'choices': a list of at least two")
    if not all(isinstance(choice, str) and choice.strip() == choice != "" for choice in choices):
        _fail(where, "each choice must be non-empty text without surrounding spaces")
    if len(set(choices)) != len(choices):
        _fail(where, "choices must not repeat")
    return tuple(choices)


def _max_length(raw: dict[str, Any], field_type: FieldType, where: str) -> int | None:
    if field_type not in (FieldType.TEXT, FieldType.LONGTEXT):
        return None
    value = raw.get("max_length", DEFAULT_MAX_LENGTH[field_type])
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        _fail(where, f"max_length {value!r} must be a whole number of at least 1")
    if value > MAX_TEXT_LENGTH:
        _fail(where, f"max_length {value} is over the {MAX_TEXT_LENGTH}-character limit")
    return value


def _bound(raw: dict[str, Any], name: str, where: str, field_type: FieldType) -> float | None:
    """A number field's ``min`` or ``max``: both are required, so every answer has a range."""
    value = raw.get(name)
    if value is None:
        if field_type is FieldType.NUMBER:
            _fail(where, f"a number field needs '{name}' (every number answer has a range)")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(where, f"{name} {value!r} must be a number")
    if name == "max" and raw.get("min") is not None and value < raw["min"]:
        _fail(where, f"max {value} is below min {raw['min']}")
    return value


def _text(raw: dict[str, Any], name: str, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        _fail(where, f"{name!r} must be non-empty text")
    return value.strip()


def _flag(raw: dict[str, Any], name: str, where: str) -> bool:
    value = raw.get(name)
    if not isinstance(value, bool):
        _fail(where, f"{name!r} must be true or false")
    return value


def _reject_unknown(raw: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        _fail(where, f"unknown attribute(s): {', '.join(unknown)}")


def _fail(where: str, problem: str) -> NoReturn:
    raise TemplateError(f"{where}: {problem}")
