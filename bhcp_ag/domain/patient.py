"""The patient facts an advice request carries: NHS number, names, date of birth, sex
and age band.

Three identifiers, so the specialist can check identity as the NHS asks: the NHS number,
the name (family and given names) and the date of birth. A name is shown the NHS way,
``SMITH, Jane``: the family name in capitals first, so it cannot be read as a given name.

NHS numbers are checked with the ``nhs_number`` package (format, modulus-11 check digit
and number ranges); this module only turns its answers into messages a clinician can act
on.

Which number ranges are accepted is a decision made here, once:

- **England, Wales and Isle of Man** (400 000 0000-499 999 9999 and
  600 000 0000-799 999 9999): accepted. Every patient of a Bay practice is registered
  with a GP in England, so has a number in these ranges.
- **Synthetic / test range** (900 000 0000-999 999 9999, "not to be issued"): accepted
  by default, because the demo and test data use synthetic patients, exactly as NHS
  Digital's own test environments do. A live deployment that must never hold a test
  patient can pass ``allow_synthetic=False``.
- **Scottish CHI and Northern Irish H&C numbers**: refused. They are valid identifiers
  in their own systems, but a patient registered in England is given an NHS number and
  that is the one the request must carry.
- **Unallocated, reserved and Irish IHI ranges**: refused; no NHS number is issued there.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

import nhs_number

MAX_AGE_YEARS = 120

_ALLOWED_CHARACTERS = re.compile(r"[0-9 \-]+")
_ACCEPTED_REGIONS = (nhs_number.REGION_ENGLAND_WALES_IOM,)
_FOREIGN_REGIONS = {
    nhs_number.REGION_SCOTLAND: "a Scottish CHI number",
    nhs_number.REGION_NORTHERN_IRELAND: "a Northern Irish Health and Care number",
}


class InvalidNhsNumber(ValueError):
    """The text is not an NHS number this service accepts; the message says why."""


class InvalidPatientName(ValueError):
    """A family or given name that is empty, too long, or not made of a name's characters."""


class InvalidBirthDate(ValueError):
    """The date of birth is impossible (in the future, or implausibly long ago)."""


def check_nhs_number(text: str, *, allow_synthetic: bool = True) -> str:
    """Return ``text`` as a 10-digit NHS number, or raise :class:`InvalidNhsNumber`.

    Spaces or hyphens in the usual 3-3-4 grouping (``943 476 5919``, ``943-476-5919``)
    are allowed and stripped, as is surrounding white space.
    """
    value = text.strip()
    if not value:
        raise InvalidNhsNumber("Enter the patient's NHS number.")
    if not _ALLOWED_CHARACTERS.fullmatch(value):
        raise InvalidNhsNumber(
            "An NHS number contains only digits (with optional spaces or hyphens "
            "between groups of 3, 3 and 4); this contains letters or other characters."
        )
    digits = re.sub(r"[ \-]", "", value)
    if len(digits) != 10:
        raise InvalidNhsNumber(f"An NHS number has 10 digits; this has {len(digits)}.")
    number = nhs_number.NhsNumber(value)
    if not number.standardised:
        raise InvalidNhsNumber(
            "Write the NHS number as 10 digits, or in groups of 3, 3 and 4 separated "
            "by single spaces or hyphens (for example 943 476 5919)."
        )
    if number.calculated_checksum != number.check_digit:
        raise InvalidNhsNumber(
            "This is not a valid NHS number: its check digit does not match. "
            "Check it against the patient's record."
        )
    _check_range(number, allow_synthetic=allow_synthetic)
    return number.standardised


def _check_range(number: nhs_number.NhsNumber, *, allow_synthetic: bool) -> None:
    """Refuse numbers outside the ranges this service accepts (see the module docstring)."""
    if number.region in _ACCEPTED_REGIONS:
        return
    if number.region is nhs_number.REGION_SYNTHETIC:
        if allow_synthetic:
            return
        raise InvalidNhsNumber(
            "This NHS number is in the synthetic (test patient) range, which is not "
            "accepted here. Use the patient's real NHS number."
        )
    foreign = _FOREIGN_REGIONS.get(number.region) if number.region else None
    if foreign is not None:
        raise InvalidNhsNumber(
            f"This looks like {foreign}, not an NHS number for England. Use the NHS "
            "number from the patient's record at their GP practice."
        )
    raise InvalidNhsNumber(
        "This is not a valid NHS number: no NHS numbers are issued in this range. "
        "Check it against the patient's record."
    )


def format_nhs_number(number: str) -> str:
    """Show an NHS number in the usual 3-3-4 grouping: ``9434765919`` -> ``943 476 5919``.

    Raises :class:`InvalidNhsNumber` if ``number`` is not one :func:`check_nhs_number`
    accepts.
    """
    digits = check_nhs_number(number)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


MAX_NAME_CHARS = 35
"""The NHS Data Dictionary's length of PATIENT FAMILY NAME and PATIENT GIVEN NAME (an..35)."""
MAX_NAME_INPUT = 100
"""The most a name field takes at all, even in a draft (what a sent request may hold is
:data:`MAX_NAME_CHARS`; between the two the GP is told by how much to shorten it)."""

# Letters of any script with their accents, and the marks names carry between them:
# spaces, hyphens, apostrophes (straight or curly) and full stops (``St. John``).
_NAME_MARKS = frozenset(" -'’.")
_NAME_LABELS = {"family": "family name (surname)", "given": "given name"}
NAME_FIELDS = {"patient_family_name": "family", "patient_given_name": "given"}
"""The request's name fields, each with the ``part`` :func:`check_patient_name` takes."""


def check_patient_name(text: str, part: str) -> str:
    """Return the family (``part="family"``) or given name with its spacing tidied, or
    raise :class:`InvalidPatientName` saying what to change."""
    label = _NAME_LABELS[part]
    value = " ".join(text.split())
    if not value:
        raise InvalidPatientName(f"Enter the patient's {label}, as on their record.")
    if len(value) > MAX_NAME_CHARS:
        raise InvalidPatientName(
            f"The {label} is {len(value)} characters; an NHS record holds up to "
            f"{MAX_NAME_CHARS}. Enter it as the patient's record has it."
        )
    odd = sorted({c for c in value if not (c.isalpha() or c in _NAME_MARKS)})
    if odd or not any(c.isalpha() for c in value):
        shown = " ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in odd)
        raise InvalidPatientName(
            f"A {label} is made of letters, with spaces, hyphens, apostrophes or full "
            f"stops between them; this has {shown or 'no letters'}."
        )
    return value


NAME_NOT_RECORDED = "Name not recorded"
"""Shown for a request sent before names were asked: check identity on the other two."""


def patient_name_text(family: str, given: str) -> str:
    """The patient's name as the NHS shows it: ``SMITH, Jane``; "" when neither is known."""
    family, given = " ".join(family.split()), " ".join(given.split())
    if family and given:
        return f"{family.upper()}, {given}"
    return family.upper() or given


def _years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def check_birth_date(value: date, today: date) -> date:
    """Return the date of birth, refusing one in the future or over 120 years ago."""
    if value > today:
        raise InvalidBirthDate(
            f"The date of birth {_long_date(value)} is in the future. "
            "Check it against the patient's record."
        )
    if value < _years_before(today, MAX_AGE_YEARS):
        raise InvalidBirthDate(
            f"The date of birth {_long_date(value)} is more than {MAX_AGE_YEARS} years "
            "ago. Check it against the patient's record."
        )
    return value


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class Sex(StrEnum):
    """Person stated gender, as in the NHS Data Dictionary (codes 2, 1, 9 and 0)."""

    FEMALE = "female"
    MALE = "male"
    INDETERMINATE = "indeterminate"
    NOT_KNOWN = "not_known"

    @property
    def label(self) -> str:
        return _SEX_LABELS[self]

    @property
    def nhs_code(self) -> str:
        """The Data Dictionary's PERSON STATED GENDER CODE."""
        return _SEX_CODES[self]


_SEX_LABELS = {
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.INDETERMINATE: "Indeterminate (unable to be classified as male or female)",
    Sex.NOT_KNOWN: "Not known",
}

_SEX_CODES = {Sex.MALE: "1", Sex.FEMALE: "2", Sex.INDETERMINATE: "9", Sex.NOT_KNOWN: "0"}

# (lowest age in the band, label), youngest first.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "0-4"),
    (5, "5-17"),
    (18, "18-39"),
    (40, "40-64"),
    (65, "65-79"),
    (80, "80+"),
)


def age_in_years(birth_date: date, on_date: date) -> int:
    """Completed years of age on ``on_date`` (a 29 February birthday counts on 1 March)."""
    if on_date < birth_date:
        raise InvalidBirthDate(
            f"The date {_long_date(on_date)} is before the date of birth {_long_date(birth_date)}."
        )
    had_birthday = (on_date.month, on_date.day) >= (birth_date.month, birth_date.day)
    return on_date.year - birth_date.year - (0 if had_birthday else 1)


def age_band(birth_date: date, on_date: date) -> str:
    """The reporting age band ("0-4" ... "80+") of the patient on ``on_date``."""
    age = age_in_years(birth_date, on_date)
    return next(label for lowest, label in reversed(AGE_BANDS) if age >= lowest)
