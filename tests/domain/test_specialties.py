"""The specialty catalogue: the Bay's 24 A&G specialties, lookup, search and templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bhcp_ag.domain.specialties import Specialty, SpecialtyCatalogue, read_specialties
from bhcp_ag.domain.templates import RequestTemplate
from bhcp_ag.paths import RESOURCES_DIR

REFERENCE_CODES = {
    "100",
    "101",
    "103",
    "104",
    "107",
    "110",
    "120",
    "130",
    "140",
    "191",
    "301",
    "302",
    "303",
    "320",
    "330",
    "340",
    "361",
    "400",
    "410",
    "420",
    "430",
    "502",
    "710",
    "812",
}


@pytest.fixture(scope="module")
def catalogue() -> SpecialtyCatalogue:
    return SpecialtyCatalogue.load()


def names(specialties: tuple[Specialty, ...]) -> list[str]:
    return [specialty.short_name for specialty in specialties]


def test_exactly_the_24_reference_specialties(catalogue: SpecialtyCatalogue) -> None:
    assert len(catalogue) == 24
    assert {specialty.tfc_code for specialty in catalogue.all()} == REFERENCE_CODES


def test_diagnostic_imaging_is_812_not_810(catalogue: SpecialtyCatalogue) -> None:
    assert catalogue.get("812").name == "Diagnostic Imaging Service"
    assert "810" not in catalogue


def test_all_is_sorted_by_short_name(catalogue: SpecialtyCatalogue) -> None:
    shown = names(catalogue.all())
    assert shown == sorted(shown, key=str.casefold)
    assert shown[0] == "Adult Mental Health"
    assert shown[-1] == "Vascular Surgery"


def test_get_by_code(catalogue: SpecialtyCatalogue) -> None:
    assert catalogue.get("330") == Specialty(
        "330", "Dermatology Service", "Dermatology", "demo.specialist", "Dr Rohan Mehta"
    )
    assert catalogue.get(" 410 ").short_name == "Rheumatology"


def test_get_unknown_code_is_a_clear_key_error(catalogue: SpecialtyCatalogue) -> None:
    with pytest.raises(KeyError, match="treatment function code '999'"):
        catalogue.get("999")


@pytest.mark.parametrize(
    ("text", "expected_first"),
    [
        ("derm", "Dermatology"),
        ("DERM", "Dermatology"),
        ("330", "Dermatology"),
        ("ent", "ENT"),
        ("ear nose", "ENT"),
        ("diabetes", "Endocrinology & Diabetes"),
        ("orthop", "Trauma & Orthopaedics"),
        ("imaging", "Diagnostic Imaging"),
    ],
)
def test_search_finds_by_name_short_name_or_code(
    catalogue: SpecialtyCatalogue, text: str, expected_first: str
) -> None:
    assert names(catalogue.search(text))[0] == expected_first


def test_search_by_code_or_distinct_name_finds_only_that_one(
    catalogue: SpecialtyCatalogue,
) -> None:
    assert names(catalogue.search("derm")) == ["Dermatology"]
    assert names(catalogue.search("330")) == ["Dermatology"]


def test_search_for_a_shared_word_lists_all_in_order(catalogue: SpecialtyCatalogue) -> None:
    assert names(catalogue.search("surgery")) == [
        "Breast Surgery",
        "Colorectal Surgery",
        "General Surgery",
        "Oral Surgery",
        "Vascular Surgery",
    ]


def test_search_blank_gives_all_and_nonsense_gives_none(
    catalogue: SpecialtyCatalogue,
) -> None:
    assert catalogue.search("  ") == catalogue.all()
    assert catalogue.search("podiatry") == ()


def test_every_specialty_has_a_usable_template(catalogue: SpecialtyCatalogue) -> None:
    for specialty in catalogue.all():
        template = catalogue.template(specialty.tfc_code)
        assert template.tfc_code == specialty.tfc_code
        keys = [field.key for field in template.fields]
        assert len(keys) == len(set(keys)), specialty
        assert len(keys) >= 4, specialty
        assert any(field.required for field in template.fields), specialty


def test_no_template_without_a_specialty() -> None:
    shipped = {path.stem for path in (RESOURCES_DIR / "templates").glob("*.json")}
    assert shipped == REFERENCE_CODES


def test_template_is_cached(catalogue: SpecialtyCatalogue) -> None:
    first = catalogue.template("330")
    assert isinstance(first, RequestTemplate)
    assert catalogue.template("330") is first


def test_template_of_unknown_code_is_a_key_error(catalogue: SpecialtyCatalogue) -> None:
    with pytest.raises(KeyError, match="'999'"):
        catalogue.template("999")


def test_load_from_another_resources_folder(tmp_path: Path) -> None:
    (tmp_path / "specialties.csv").write_text(
        "tfc_code,name,short_name\n330,Dermatology Service,Dermatology\n", encoding="utf-8"
    )
    (tmp_path / "templates").mkdir()
    shutil.copy(RESOURCES_DIR / "templates" / "330.json", tmp_path / "templates")
    catalogue = SpecialtyCatalogue.load(tmp_path)
    assert names(catalogue.all()) == ["Dermatology"]
    assert catalogue.template("330").photo_expected


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("code,name,short_name\n330,Dermatology Service,Dermatology\n", "header must be"),
        ("tfc_code,name,short_name\n330,Dermatology Service\n", "line 2"),
        ("tfc_code,name,short_name\n33,Dermatology Service,Dermatology\n", "3-digit"),
        (
            "tfc_code,name,short_name\n330,Dermatology Service,Dermatology\n"
            "330,Skin Service,Skin\n",
            "listed twice",
        ),
    ],
)
def test_malformed_csv_is_rejected_naming_the_file(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "specialties.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=says) as raised:
        read_specialties(path)
    assert str(path) in str(raised.value)


def test_specialty_is_frozen() -> None:
    specialty = Specialty("330", "Dermatology Service", "Dermatology")
    with pytest.raises(AttributeError):
        specialty.name = "Skin"  # type: ignore[misc]
    assert str(specialty) == "Dermatology"


def test_every_specialty_names_its_responsible_consultant_and_lead(
    catalogue: SpecialtyCatalogue, tmp_path: Path
) -> None:
    """H12: advice is given under a named consultant, and overdue requests have a lead."""
    assert len(catalogue) == 24
    for specialty in catalogue.all():
        assert (
            specialty.lead_username and specialty.lead_username == specialty.lead_username.lower()
        )
        assert specialty.lead_name.split()[0] in {"Dr", "Mr", "Ms", "Mrs", "Miss", "Prof"}
    resources = tmp_path / "resources"
    shutil.copytree(RESOURCES_DIR, resources)
    leads = resources / "specialty_leads.csv"
    kept = [line for line in leads.read_text().splitlines() if not line.startswith("320,")]
    leads.write_text("\n".join(kept) + "\n")
    with pytest.raises(ValueError, match="no lead named for Cardiology") as refused:
        SpecialtyCatalogue.load(resources)
    assert str(leads) in str(refused.value)
