"""Request templates: loading strictly, validating answers, and the shipped templates' content."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from bhcp_ag.domain.templates import (
    GENERIC_FIELD_KEYS,
    MAX_TEXT_LENGTH,
    TEMPLATES_DIR,
    UNKNOWN_ANSWERS_KEY,
    FieldType,
    RequestTemplate,
    TemplateError,
    load_template,
)

SAMPLE: dict[str, Any] = {
    "tfc_code": "999",
    "intro": "A test specialty needs these answers.",
    "photo_expected": False,
    "fields": [
        {
            "key": "lesion_site",
            "label": "Site of the lesion",
            "type": "text",
            "required": True,
            "help": "Where it is.",
            "max_length": 20,
        },
        {
            "key": "history",
            "label": "History",
            "type": "longtext",
            "required": False,
            "help": "The story.",
        },
        {
            "key": "side",
            "label": "Side",
            "type": "choice",
            "required": True,
            "help": "Which.",
            "choices": ["Left", "Right", "Both"],
        },
        {
            "key": "symptoms",
            "label": "Symptoms",
            "type": "multichoice",
            "required": True,
            "help": "Tick all.",
            "choices": ["Itch", "Pain", "None"],
        },
        {
            "key": "morning_stiffness",
            "label": "Morning stiffness",
            "type": "number",
            "required": True,
            "help": "Minutes.",
            "unit": "minutes",
            "min": 0,
            "max": 1440,
        },
        {
            "key": "dose",
            "label": "Dose",
            "type": "number",
            "required": False,
            "help": "Any.",
            "min": 0,
            "max": 100,
        },
        {
            "key": "onset_date",
            "label": "Date of onset",
            "type": "date",
            "required": False,
            "help": "When.",
        },
        {"key": "smoker", "label": "Smoker", "type": "yesno", "required": True, "help": "Now."},
    ],
}

VALID: dict[str, object] = {
    "lesion_site": "Left forearm",
    "history": "Two months.\nGrowing slowly.",
    "side": "Left",
    "symptoms": ["Itch", "Pain"],
    "morning_stiffness": "45",
    "dose": 2.5,
    "onset_date": "2024-02-29",
    "smoker": False,
}


def write(directory: Path, document: object, code: str = "999") -> Path:
    path = directory / f"{code}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def template(tmp_path: Path) -> RequestTemplate:
    write(tmp_path, SAMPLE)
    return load_template("999", tmp_path)


def problems(template: RequestTemplate, **changes: object) -> dict[str, str]:
    return template.validate({**VALID, **changes})


# --- loading ------------------------------------------------------------------------------


def test_sample_loads_into_frozen_dataclasses(template: RequestTemplate) -> None:
    assert template.tfc_code == "999"
    assert template.field("side").choices == ("Left", "Right", "Both")
    assert template.field("side").type is FieldType.CHOICE
    assert template.field("history").max_length == MAX_TEXT_LENGTH
    assert template.field("morning_stiffness").unit == "minutes"
    assert template.required_keys == (
        "lesion_site",
        "side",
        "symptoms",
        "morning_stiffness",
        "smoker",
    )
    with pytest.raises(AttributeError):
        template.intro = "changed"  # type: ignore[misc]


def test_unknown_field_key_lookup_is_a_clear_key_error(template: RequestTemplate) -> None:
    with pytest.raises(KeyError, match="no field 'nope'"):
        template.field("nope")


def _field(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(field for field in document["fields"] if field["key"] == key)


def _unknown_type(doc: dict[str, Any]) -> None:
    _field(doc, "history")["type"] = "essay"


def _duplicate_key(doc: dict[str, Any]) -> None:
    doc["fields"].append(dict(_field(doc, "side")))


def _choice_without_choices(doc: dict[str, Any]) -> None:
    del _field(doc, "side")["choices"]


def _max_length_too_big(doc: dict[str, Any]) -> None:
    _field(doc, "history")["max_length"] = 8001


def _generic_key(doc: dict[str, Any]) -> None:
    _field(doc, "history")["key"] = "clinical_summary"


def _option_for_wrong_type(doc: dict[str, Any]) -> None:
    _field(doc, "dose")["choices"] = ["1", "2"]


def _min_above_max(doc: dict[str, Any]) -> None:
    _field(doc, "morning_stiffness")["min"] = 2000


def _number_without_max(doc: dict[str, Any]) -> None:
    del _field(doc, "dose")["max"]


def _number_without_min(doc: dict[str, Any]) -> None:
    del _field(doc, "morning_stiffness")["min"]


def _missing_help(doc: dict[str, Any]) -> None:
    del _field(doc, "smoker")["help"]


def _repeated_choice(doc: dict[str, Any]) -> None:
    _field(doc, "symptoms")["choices"] = ["Itch", "Itch"]


@pytest.mark.parametrize(
    ("spoil", "field_key", "says"),
    [
        (_unknown_type, "history", "unknown type 'essay'"),
        (_duplicate_key, "side", "duplicate key"),
        (_choice_without_choices, "side", "needs 'choices'"),
        (_max_length_too_big, "history", "over the 8000-character limit"),
        (_generic_key, "clinical_summary", "every request form already has"),
        (_option_for_wrong_type, "dose", "unknown attribute(s): choices"),
        (_min_above_max, "morning_stiffness", "max 1440 is below min 2000"),
        (_number_without_max, "dose", "a number field needs 'max'"),
        (_number_without_min, "morning_stiffness", "a number field needs 'min'"),
        (_missing_help, "smoker", "'help' must be non-empty text"),
        (_repeated_choice, "symptoms", "must not repeat"),
    ],
)
def test_malformed_field_is_rejected_naming_file_and_field(
    tmp_path: Path, spoil: Any, field_key: str, says: str
) -> None:
    document = copy.deepcopy(SAMPLE)
    spoil(document)
    path = write(tmp_path, document)
    with pytest.raises(ValueError) as raised:
        load_template("999", tmp_path)
    message = str(raised.value)
    assert str(path) in message
    assert repr(field_key) in message
    assert says in message


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"tfc_code": "998"}, "tfc_code is '998', expected '999'"),
        ({"photo_expected": "yes"}, "'photo_expected' must be true or false"),
        ({"fields": []}, "'fields' must be a non-empty list"),
        ({"intro": "  "}, "'intro' must be non-empty text"),
        ({"colour": "blue"}, "unknown attribute(s): colour"),
    ],
)
def test_malformed_template_is_rejected_naming_file(
    tmp_path: Path, change: dict[str, object], says: str
) -> None:
    path = write(tmp_path, {**SAMPLE, **change})
    with pytest.raises(TemplateError) as raised:
        load_template("999", tmp_path)
    assert str(path) in str(raised.value)
    assert says in str(raised.value)


def test_bad_snake_case_key_is_rejected(tmp_path: Path) -> None:
    document = copy.deepcopy(SAMPLE)
    _field(document, "dose")["key"] = "DoseGiven"
    write(tmp_path, document)
    with pytest.raises(TemplateError, match="'DoseGiven' must be snake_case"):
        load_template("999", tmp_path)


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "999.json"
    path.write_text('{\n  "tfc_code": "999",\n  oops\n}', encoding="utf-8")
    with pytest.raises(TemplateError, match="line 3") as raised:
        load_template("999", tmp_path)
    assert str(path) in str(raised.value)


def test_missing_template_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_template("999", tmp_path)


# --- validating answers -------------------------------------------------------------------


def test_valid_answers_give_no_problems(template: RequestTemplate) -> None:
    assert template.validate(VALID) == {}


def test_valid_alternatives_are_accepted(template: RequestTemplate) -> None:
    assert (
        problems(
            template,
            morning_stiffness=0,
            dose=None,
            history="   ",
            onset_date=date(2024, 1, 5),
            smoker="Yes",
            symptoms=("None",),
            side=" Right ",
        )
        == {}
    )
    assert problems(template, onset_date=datetime(2024, 1, 5, 9, 30), smoker=True) == {}


def test_missing_required_answers(template: RequestTemplate) -> None:
    assert template.validate({}) == {
        "lesion_site": "Site of the lesion is required.",
        "side": "Side is required.",
        "symptoms": "Symptoms is required.",
        "morning_stiffness": "Morning stiffness is required.",
        "smoker": "Smoker is required.",
    }


@pytest.mark.parametrize("blank", ["", "   ", "\n\t ", None, []])
def test_whitespace_only_or_empty_counts_as_missing(
    template: RequestTemplate, blank: object
) -> None:
    assert problems(template, lesion_site=blank)["lesion_site"] == (
        "Site of the lesion is required."
    )


def test_no_answer_is_required_to_be_true(template: RequestTemplate) -> None:
    assert "smoker" not in problems(template, smoker=False)


def test_text_over_the_limit_gives_limit_and_length(template: RequestTemplate) -> None:
    assert problems(template, lesion_site="x" * 21) == {
        "lesion_site": "Site of the lesion is too long: 21 characters, the limit is 20."
    }
    assert problems(template, lesion_site="  " + "x" * 20 + "  ") == {}


def test_long_text_limit_is_the_national_one(template: RequestTemplate) -> None:
    assert problems(template, history="x" * 8000) == {}
    assert problems(template, history="x" * 8001) == {
        "history": "History is too long: 8,001 characters, the limit is 8,000."
    }


def test_single_line_text_refuses_line_breaks(template: RequestTemplate) -> None:
    assert problems(template, lesion_site="arm\nleg") == {
        "lesion_site": "Site of the lesion must be a single line."
    }


def test_text_must_be_text(template: RequestTemplate) -> None:
    assert problems(template, lesion_site=42) == {"lesion_site": "Site of the lesion must be text."}


@pytest.mark.parametrize("bad", ["abc", "1,440", "nan", "inf", True, [3]])
def test_bad_number(template: RequestTemplate, bad: object) -> None:
    assert problems(template, morning_stiffness=bad) == {
        "morning_stiffness": "Morning stiffness must be a number between 0 and 1440 minutes."
    }


@pytest.mark.parametrize("out_of_range", [-1, "1441", 1440.5])
def test_number_out_of_range(template: RequestTemplate, out_of_range: object) -> None:
    assert problems(template, morning_stiffness=out_of_range) == {
        "morning_stiffness": "Morning stiffness must be a number between 0 and 1440 minutes."
    }


def test_number_bounds_are_inclusive(template: RequestTemplate) -> None:
    assert problems(template, morning_stiffness="1440") == {}
    assert problems(template, morning_stiffness=" 0 ") == {}


def test_number_out_of_its_range(template: RequestTemplate) -> None:
    says = {"dose": "Dose must be a number between 0 and 100."}
    assert problems(template, dose="-0.5") == says
    assert problems(template, dose=101) == says


@pytest.mark.parametrize("huge", [10**400, -(10**400), "1" + "0" * 400, "1e400", "nan", "-inf"])
def test_numbers_too_large_for_a_float_are_out_of_range_not_errors(
    template: RequestTemplate, huge: object
) -> None:
    assert problems(template, dose=huge) == {"dose": "Dose must be a number between 0 and 100."}


def test_a_multiple_choice_answer_names_each_choice_once(template: RequestTemplate) -> None:
    assert problems(template, symptoms=["Itch"] * 3) == {
        "symptoms": "Symptoms: choose each answer once."
    }


def test_bad_choice_lists_the_choices(template: RequestTemplate) -> None:
    assert problems(template, side="Middle") == {"side": "Choose one of: Left, Right, Both."}
    assert problems(template, side=["Left"]) == {"side": "Choose one of: Left, Right, Both."}


@pytest.mark.parametrize("bad", [["Itch", "Burning"], "Itch", [1]])
def test_bad_multichoice(template: RequestTemplate, bad: object) -> None:
    assert problems(template, symptoms=bad) == {
        "symptoms": "Choose one or more of: Itch, Pain, None."
    }


@pytest.mark.parametrize("bad", ["2023-02-29", "29/02/2024", "20240229", "yesterday", 20240229])
def test_bad_date(template: RequestTemplate, bad: object) -> None:
    assert problems(template, onset_date=bad) == {
        "onset_date": "Date of onset must be a real date, written YYYY-MM-DD."
    }


@pytest.mark.parametrize("bad", ["maybe", 1, "y"])
def test_bad_yes_no(template: RequestTemplate, bad: object) -> None:
    assert problems(template, smoker=bad) == {"smoker": "Smoker must be yes or no."}


def test_unknown_keys_are_reported_together(template: RequestTemplate) -> None:
    assert problems(template, colour="red", age=3) == {
        UNKNOWN_ANSWERS_KEY: "Not on the 999 request form: age, colour."
    }


def test_every_problem_is_reported_at_once(template: RequestTemplate) -> None:
    found = template.validate({"side": "Up", "morning_stiffness": "abc", "extra": 1})
    assert set(found) == {
        "lesion_site",
        "side",
        "symptoms",
        "morning_stiffness",
        "smoker",
        UNKNOWN_ANSWERS_KEY,
    }


# --- the shipped templates ----------------------------------------------------------------

SHIPPED = sorted(path.stem for path in TEMPLATES_DIR.glob("*.json"))


def test_twenty_four_templates_are_shipped() -> None:
    assert len(SHIPPED) == 24


@pytest.mark.parametrize("code", SHIPPED)
def test_shipped_template_is_well_formed(code: str) -> None:
    template = load_template(code)
    keys = [field.key for field in template.fields]
    assert len(keys) == len(set(keys))
    assert 4 <= len(template.fields) <= 9
    assert any(field.required for field in template.fields)
    assert not GENERIC_FIELD_KEYS & set(keys)
    assert template.intro.endswith(".")
    assert all(field.help.endswith((".", ")")) for field in template.fields)
    assert template.validate({})  # something is always required


@pytest.mark.parametrize("code", SHIPPED)
def test_shipped_template_accepts_a_complete_answer(code: str) -> None:
    template = load_template(code)
    assert template.validate({f.key: _plausible(f) for f in template.fields}) == {}


@pytest.mark.parametrize("code", SHIPPED)
def test_every_shipped_number_has_a_range_that_refuses_what_lies_outside(code: str) -> None:
    template = load_template(code)
    numbers = [field for field in template.fields if field.type is FieldType.NUMBER]
    for field in numbers:
        assert field.min is not None and field.max is not None
        for outside in (field.max + 1, field.min - 1, 10**400, -(10**400), "1e400", "nan"):
            assert field.check(outside) is not None, (field.key, outside)
        assert field.check(field.max) is None and field.check(field.min) is None


def _plausible(field: Any) -> object:
    match field.type:
        case FieldType.CHOICE:
            return field.choices[0]
        case FieldType.MULTICHOICE:
            return list(field.choices[:2])
        case FieldType.NUMBER:
            return str(field.min if field.min is not None else 1)
        case FieldType.DATE:
            return "2024-05-01"
        case FieldType.YESNO:
            return "no"
        case _:
            return "As described."


def test_dermatology_expects_a_photo() -> None:
    dermatology = load_template("330")
    assert dermatology.photo_expected
    assert dermatology.field("lesion_site").label == "Site of the lesion"
    assert "dermoscopic" in dermatology.intro


def test_cardiology_has_ecg_and_blood_pressure() -> None:
    cardiology = load_template("320")
    assert cardiology.field("ecg_findings").required
    assert cardiology.field("systolic_bp").unit == "mmHg"
    assert cardiology.field("diastolic_bp").type is FieldType.NUMBER
    assert cardiology.field("heart_rate").unit == "bpm"


def test_rheumatology_has_joints_and_inflammatory_markers() -> None:
    rheumatology = load_template("410")
    assert rheumatology.field("joints_involved").type is FieldType.MULTICHOICE
    assert rheumatology.field("crp").unit == "mg/L"
    assert rheumatology.field("esr").unit == "mm/h"
    stiffness = rheumatology.validate({"morning_stiffness": "all day"})["morning_stiffness"]
    assert stiffness == "Morning stiffness must be a number between 0 and 1440 minutes."


@pytest.mark.parametrize("code", ["101", "103", "104", "330", "502"])
def test_cancer_prone_specialties_remind_of_the_two_week_wait(code: str) -> None:
    template = load_template(code)
    assert any("two-week-wait" in field.help for field in template.fields)


# --- fields that apply only to some answers ----------------------------------------------


def _conditional(shown_when: object) -> dict[str, Any]:
    """SAMPLE with a required field asked only when ``shown_when`` holds."""
    document = copy.deepcopy(SAMPLE)
    document["fields"].append(
        {
            "key": "pain_site",
            "label": "Site of the pain",
            "type": "text",
            "required": True,
            "help": "Where it hurts.",
            "shown_when": shown_when,
        }
    )
    return document


def test_a_field_whose_condition_does_not_hold_is_not_required(tmp_path: Path) -> None:
    write(tmp_path, _conditional({"field": "symptoms", "any_of": ["Pain"]}))
    template = load_template("999", tmp_path)
    without_pain = {**VALID, "symptoms": ["Itch"]}
    assert not template.applies("pain_site", without_pain)
    assert template.validate(without_pain) == {}
    assert template.validate({**without_pain, "pain_site": "x" * 600}) == {}  # not asked
    assert template.validate(VALID) == {"pain_site": "Site of the pain is required."}
    assert template.validate({**VALID, "pain_site": "Left knee"}) == {}


def test_a_condition_on_a_yes_no_field_reads_yes_and_true_alike(tmp_path: Path) -> None:
    write(tmp_path, _conditional({"field": "smoker", "any_of": ["yes"]}))
    template = load_template("999", tmp_path)
    assert template.applies("pain_site", {"smoker": True})
    assert template.applies("pain_site", {"smoker": "Yes"})
    assert not template.applies("pain_site", {"smoker": "no"})
    assert not template.applies("pain_site", {})


@pytest.mark.parametrize(
    ("shown_when", "says"),
    [
        ({"field": "lesion_site", "any_of": ["Arm"]}, "must look at a choice or yes/no field"),
        ({"field": "pain_site", "any_of": ["x"]}, "'pain_site', which is not an earlier field"),
        ({"field": "nowhere", "any_of": ["x"]}, "'nowhere', which is not an earlier field"),
        ({"field": "symptoms", "any_of": ["Fever"]}, "'Fever' not an answer to 'symptoms'"),
        ({"field": "symptoms", "any_of": []}, "needs 'field' (a key) and 'any_of'"),
        ({"field": "symptoms", "any_of": ["Pain"], "or": 1}, "unknown attribute(s): or"),
        ("symptoms", "shown_when must be an object"),
    ],
)
def test_a_malformed_condition_is_refused_naming_the_field(
    tmp_path: Path, shown_when: object, says: str
) -> None:
    path = write(tmp_path, _conditional(shown_when))
    with pytest.raises(TemplateError) as raised:
        load_template("999", tmp_path)
    assert str(path) in str(raised.value) and "'pain_site'" in str(raised.value)
    assert says in str(raised.value)


def test_cardiology_asks_the_character_of_chest_pain_only_with_chest_pain() -> None:
    cardiology = load_template("320")
    answers = {
        "symptoms": ["Palpitations"],
        "ecg_findings": "Sinus rhythm",
        "systolic_bp": 130,
        "diastolic_bp": 80,
        "heart_rate": 72,
    }
    assert cardiology.validate(answers) == {}
    with_pain = {**answers, "symptoms": ["Chest pain", "Palpitations"]}
    assert cardiology.validate(with_pain) == {
        "chest_pain_character": "Character of chest pain is required."
    }


# --- a choice that follows the photos attached -------------------------------------------


def _with_photo_answer(photo_answer: object) -> dict[str, Any]:
    document = copy.deepcopy(SAMPLE)
    document["fields"][2]["photo_answer"] = photo_answer  # "side": Left, Right or Both
    return document


def test_dermatology_answers_its_photo_question_from_the_files() -> None:
    answer = load_template("330").field("photo_attached").photo_answer
    assert answer is not None
    assert (answer.without, answer.with_photo) == ("No photo", "Clinical only")


@pytest.mark.parametrize(
    ("photo_answer", "says"),
    [
        ({"without": "Left"}, "photo_answer must be"),
        ({"without": "Left", "with": "Up"}, "must each be one of the choices"),
        ({"without": "Left", "with": "Left"}, "must differ"),
    ],
)
def test_a_malformed_photo_answer_is_refused(
    tmp_path: Path, photo_answer: object, says: str
) -> None:
    write(tmp_path, _with_photo_answer(photo_answer))
    with pytest.raises(TemplateError, match=says):
        load_template("999", tmp_path)


def test_only_a_choice_may_follow_the_photos(tmp_path: Path) -> None:
    document = copy.deepcopy(SAMPLE)
    document["fields"][0]["photo_answer"] = {"without": "a", "with": "b"}  # a text field
    write(tmp_path, document)
    with pytest.raises(TemplateError, match="unknown attribute"):
        load_template("999", tmp_path)
