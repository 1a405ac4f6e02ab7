"""NHS numbers, dates of birth, sex and age bands."""

from __future__ import annotations

from datetime import date

import pytest

from bhcp_ag.domain.patient import (
    InvalidBirthDate,
    InvalidNhsNumber,
    InvalidPatientName,
    Sex,
    age_band,
    age_in_years,
    check_birth_date,
    check_nhs_number,
    check_patient_name,
    format_nhs_number,
    patient_name_text,
)

SYNTHETIC = "9434765919"  # valid check digit, in the synthetic (test patient) range
ENGLAND = "4010232137"  # valid check digit, in the England/Wales/IoM range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SYNTHETIC, SYNTHETIC),
        ("943 476 5919", SYNTHETIC),
        ("943-476-5919", SYNTHETIC),
        ("  943 476 5919\n", SYNTHETIC),
        (ENGLAND, ENGLAND),
        ("401 023 2137", ENGLAND),
    ],
)
def test_valid_numbers_are_normalised(text: str, expected: str) -> None:
    assert check_nhs_number(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_is_refused(text: str) -> None:
    with pytest.raises(InvalidNhsNumber, match="Enter the patient's NHS number"):
        check_nhs_number(text)


@pytest.mark.parametrize("text", ["943476591O", "NHS 9434765919", "943.476.5919", "9434765919#"])
def test_letters_or_other_characters_are_refused(text: str) -> None:
    with pytest.raises(InvalidNhsNumber, match="contains letters or other characters"):
        check_nhs_number(text)


def test_non_ascii_digits_are_refused() -> None:
    with pytest.raises(InvalidNhsNumber, match="letters or other characters"):
        check_nhs_number("٩٤٣٤٧٦٥٩١٩")


@pytest.mark.parametrize(
    ("text", "count"),
    [("943476591", 9), ("94347659190", 11), ("943 476 591", 9), ("1", 1), ("---", 0)],
)
def test_wrong_length_says_how_many_digits(text: str, count: int) -> None:
    with pytest.raises(InvalidNhsNumber) as caught:
        check_nhs_number(text)
    assert str(caught.value) == f"An NHS number has 10 digits; this has {count}."


@pytest.mark.parametrize("text", ["9434 765 919", "943 4765919", "943-476 5919", "943  476 5919"])
def test_unusual_grouping_is_refused(text: str) -> None:
    with pytest.raises(InvalidNhsNumber, match="groups of 3, 3 and 4"):
        check_nhs_number(text)


@pytest.mark.parametrize("text", ["9434765918", "943 476 5910", "4010232138"])
def test_bad_check_digit_is_refused(text: str) -> None:
    with pytest.raises(InvalidNhsNumber) as caught:
        check_nhs_number(text)
    assert str(caught.value) == (
        "This is not a valid NHS number: its check digit does not match. "
        "Check it against the patient's record."
    )


def test_synthetic_numbers_can_be_refused_for_live_use() -> None:
    with pytest.raises(InvalidNhsNumber, match="synthetic"):
        check_nhs_number(SYNTHETIC, allow_synthetic=False)
    assert check_nhs_number(ENGLAND, allow_synthetic=False) == ENGLAND


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0101701233", "Scottish CHI number"),  # CHI range, real date, good check digit
        ("3200000015", "Northern Irish"),
        ("0000000000", "no NHS numbers are issued in this range"),
        ("5000000013", "no NHS numbers are issued in this range"),
        ("8000000016", "no NHS numbers are issued in this range"),  # Irish IHI
    ],
)
def test_numbers_outside_the_english_ranges_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidNhsNumber, match=message):
        check_nhs_number(text)


def test_format_nhs_number() -> None:
    assert format_nhs_number("9434765919") == "943 476 5919"
    assert format_nhs_number("943-476-5919") == "943 476 5919"
    with pytest.raises(InvalidNhsNumber):
        format_nhs_number("9434765918")


TODAY = date(2025, 6, 15)


@pytest.mark.parametrize("born", [TODAY, date(2025, 6, 14), date(1960, 1, 1), date(1905, 6, 15)])
def test_plausible_birth_dates_are_accepted(born: date) -> None:
    assert check_birth_date(born, TODAY) == born


def test_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidBirthDate, match="16 June 2025 is in the future"):
        check_birth_date(date(2025, 6, 16), TODAY)


def test_birth_date_over_120_years_ago_is_refused() -> None:
    with pytest.raises(InvalidBirthDate, match="14 June 1905 is more than 120 years ago"):
        check_birth_date(date(1905, 6, 14), TODAY)


def test_120_years_before_29_february() -> None:
    leap_day = date(2020, 2, 29)  # 1900 was not a leap year: the limit is 28 February
    assert check_birth_date(date(1900, 2, 28), leap_day) == date(1900, 2, 28)
    with pytest.raises(InvalidBirthDate):
        check_birth_date(date(1900, 2, 27), leap_day)


def test_sex_values_and_labels() -> None:
    assert [s.value for s in Sex] == ["female", "male", "indeterminate", "not_known"]
    assert Sex("not_known").label == "Not known"
    assert Sex.FEMALE.label == "Female"
    assert {s.nhs_code for s in Sex} == {"0", "1", "2", "9"}
    assert Sex.MALE.nhs_code == "1"


BORN = date(2000, 3, 10)


@pytest.mark.parametrize(
    ("on_date", "band"),
    [
        (BORN, "0-4"),
        (date(2005, 3, 9), "0-4"),
        (date(2005, 3, 10), "5-17"),
        (date(2018, 3, 9), "5-17"),
        (date(2018, 3, 10), "18-39"),
        (date(2040, 3, 9), "18-39"),
        (date(2040, 3, 10), "40-64"),
        (date(2065, 3, 9), "40-64"),
        (date(2065, 3, 10), "65-79"),
        (date(2080, 3, 9), "65-79"),
        (date(2080, 3, 10), "80+"),
        (date(2110, 1, 1), "80+"),
    ],
)
def test_age_bands_at_the_boundaries(on_date: date, band: str) -> None:
    assert age_band(BORN, on_date) == band


def test_leap_day_birthday_counts_from_1_march() -> None:
    born = date(2008, 2, 29)
    assert age_in_years(born, date(2026, 2, 28)) == 17
    assert age_in_years(born, date(2026, 3, 1)) == 18
    assert age_band(born, date(2026, 3, 1)) == "18-39"


def test_age_band_before_birth_is_refused() -> None:
    with pytest.raises(InvalidBirthDate, match="before the date of birth"):
        age_band(BORN, date(2000, 3, 9))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Smith", "Smith"),
        ("  O'Neill-Smith ", "O'Neill-Smith"),
        ("St. John", "St. John"),
        ("D’Arcy", "D’Arcy"),
        ("Zoë  Anne", "Zoë Anne"),
        ("Nguyễn", "Nguyễn"),
        ("x" * 35, "x" * 35),
    ],
)
def test_names_as_records_hold_them_are_accepted(text: str, expected: str) -> None:
    assert check_patient_name(text, "family") == expected


@pytest.mark.parametrize(
    ("text", "part", "fragment"),
    [
        ("", "family", "Enter the patient's family name (surname)"),
        ("   ", "given", "Enter the patient's given name"),
        ("x" * 36, "family", "36 characters"),
        ("Smith2", "family", "'2'"),
        ("Jane\x00", "given", "U+0000"),
        ("--", "given", "no letters"),
        ("<b>Smith</b>", "family", "'<'"),
    ],
)
def test_names_that_cannot_be_a_patients_are_refused(text: str, part: str, fragment: str) -> None:
    with pytest.raises(InvalidPatientName, match=None) as refused:
        check_patient_name(text, part)
    assert fragment in str(refused.value)


def test_a_name_is_shown_family_name_first_in_capitals() -> None:
    assert patient_name_text("Smith", "Jane") == "SMITH, Jane"
    assert patient_name_text(" o'neill ", "Zoë  Anne") == "O'NEILL, Zoë Anne"
    assert patient_name_text("", "Jane") == "Jane"
    assert patient_name_text("Smith", "") == "SMITH"
    assert patient_name_text("", "") == ""
