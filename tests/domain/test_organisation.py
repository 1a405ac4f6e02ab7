"""The Bay's structure as published, the invented practices, road miles, and user roles."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from bhcp_ag.domain import roads as roads_module
from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import (
    DEFAULT_PATH,
    ROAD_FACTOR,
    USER_ROLES,
    InvalidUser,
    Organisation,
    OrganisationDataError,
    UnknownCode,
    User,
    great_circle_miles,
)
from bhcp_ag.domain.roads import RoadNetwork, RoadNetworkError

# network -> (ICCs, main hospital site), as in the reference table (bay.md).
PUBLISHED = {
    "Furness Peninsula": (
        {"Millom", "Alfred Barrow", "Barrow Town", "Dalton & Ulverston"},
        "Furness General Hospital",
    ),
    "South Lakeland": ({"Grange & Central", "Kendal", "East"}, "Westmorland General Hospital"),
    "Lancaster & Morecambe": (
        {"Carnforth", "Lancaster area 1", "Lancaster area 2", "Morecambe", "Garstang"},
        "Royal Lancaster Infirmary",
    ),
}


@pytest.fixture(scope="module")
def org() -> Organisation:
    return Organisation.load()


def test_structure_is_3_networks_12_iccs_47_practices_3_sites(org: Organisation) -> None:
    assert len(org.networks) == 3
    assert len(org.iccs) == 12
    assert len(org.practices) == 47
    assert len(org.sites) == 3


@pytest.mark.parametrize("network_name", sorted(PUBLISHED))
def test_each_network_has_the_published_iccs_and_main_site(
    org: Organisation, network_name: str
) -> None:
    iccs, site_name = PUBLISHED[network_name]
    network = next(n for n in org.networks if n.name == network_name)
    assert {icc.name for icc in org.iccs_in(network.code)} == iccs
    assert org.site(network.main_site_code).name == site_name


def test_main_sites_are_at_the_published_coordinates(org: Organisation) -> None:
    where = {s.name: (s.latitude, s.longitude) for s in org.sites}
    assert where["Furness General Hospital"] == pytest.approx((54.135, -3.205))
    assert where["Westmorland General Hospital"] == pytest.approx((54.318, -2.748))
    assert where["Royal Lancaster Infirmary"] == pytest.approx((54.043, -2.799))


def test_practice_codes_are_unique_and_invented(org: Organisation) -> None:
    codes = [p.code for p in org.practices]
    assert len(set(codes)) == 47
    assert codes == [f"BAY{n:03d}" for n in range(1, 48)]


def test_practice_names_are_unique(org: Organisation) -> None:
    assert len({p.name for p in org.practices}) == 47


def test_list_sizes_sum_to_about_365000(org: Organisation) -> None:
    total = sum(p.list_size for p in org.practices)
    assert 365_000 * 0.98 <= total <= 365_000 * 1.02


def test_every_icc_has_a_practice_and_millom_has_one(org: Organisation) -> None:
    counts = Counter(p.icc_code for p in org.practices)
    assert set(counts) == {icc.code for icc in org.iccs}
    millom = next(i for i in org.iccs if i.name == "Millom")
    (practice,) = org.practices_in(millom.code)
    assert practice.town == "Millom"
    assert 8_000 <= practice.list_size <= 9_000


def test_icc_populations_are_13000_to_50000_except_millom(org: Organisation) -> None:
    for icc in org.iccs:
        population = sum(p.list_size for p in org.practices_in(icc.code))
        if icc.name == "Millom":  # the town of 8,500 people is its own ICC
            assert population == pytest.approx(8_500, rel=0.05)
        else:
            assert 13_000 <= population <= 50_000, icc.name


def test_practices_are_shared_in_proportion_to_population(org: Organisation) -> None:
    total = sum(p.list_size for p in org.practices)
    for icc in org.iccs:
        practices = org.practices_in(icc.code)
        share = sum(p.list_size for p in practices) / total * 47
        assert abs(len(practices) - share) < 1, icc.name


def test_every_practice_is_in_the_bay_within_60_miles_there_and_back(org: Organisation) -> None:
    for practice in org.practices:
        assert 53.8 < practice.latitude < 54.5, practice.code
        assert -3.4 < practice.longitude < -2.4, practice.code
        site = org.main_site_of(practice)
        assert org.round_trip_miles(practice.code, site.code) < 60, practice.code


def test_millom_has_the_longest_trip_to_its_main_site(org: Organisation) -> None:
    # Millom's 8,500 people are cut off from Barrow by the Duddon estuary; the next
    # longest trip (Great Eccleston to Lancaster) is about 36 miles there and back.
    trips = {p.code: org.round_trip_miles(p.code, org.main_site_of(p).code) for p in org.practices}
    longest = max(trips, key=trips.__getitem__)
    assert longest == "BAY001"
    assert sorted(trips.values())[-2] < trips["BAY001"] - 5


def test_every_practice_reaches_every_site_its_own_nearest(org: Organisation) -> None:
    for practice in org.practices:
        miles = {s.code: org.round_trip_miles(practice.code, s.code) for s in org.sites}
        assert all(0 < m < 250 and math.isfinite(m) for m in miles.values()), practice.code
        assert min(miles, key=miles.__getitem__) == org.main_site_of(practice).code, practice.code


def test_kendal_practices_are_further_from_lancaster_than_from_kendal(org: Organisation) -> None:
    kendal = next(i for i in org.iccs if i.name == "Kendal")
    for practice in org.practices_in(kendal.code):
        to_wgh = org.round_trip_miles(practice.code, "WGH")
        to_rli = org.round_trip_miles(practice.code, "RLI")
        assert to_wgh < 5, practice.code
        assert to_rli > to_wgh + 35, practice.code


def test_round_trips_are_the_same_either_way(org: Organisation) -> None:
    roads = org.roads
    assert roads is not None
    for practice in org.practices:
        for site in org.sites:
            back = roads.miles(site.latitude, site.longitude, practice.latitude, practice.longitude)
            assert org.round_trip_miles(practice.code, site.code) == pytest.approx(2 * back)


def test_every_practice_main_site_is_its_networks(org: Organisation) -> None:
    for practice in org.practices:
        network = org.network_of(practice)
        assert org.icc_of(practice).network_code == network.code
        assert org.main_site_of(practice).code == network.main_site_code


def test_lookups_accept_a_practice_or_its_code(org: Organisation) -> None:
    practice = org.practice("BAY001")
    assert org.icc_of("BAY001") == org.icc_of(practice)
    assert org.network_of("BAY001").name == "Furness Peninsula"
    assert org.main_site_of("BAY001").code == "FGH"


@pytest.mark.parametrize(
    ("lookup", "code"),
    [("practice", "A81001"), ("icc", "XXX"), ("network", "ZZ"), ("site", "NOPE")],
)
def test_unknown_codes_are_refused_clearly(org: Organisation, lookup: str, code: str) -> None:
    with pytest.raises(UnknownCode, match=f"code '{code}'"):
        getattr(org, lookup)(code)


def test_great_circle_miles_known_distance() -> None:
    # Lancaster (RLI) to Kendal (WGH) is about 19 miles as the crow flies.
    assert great_circle_miles(54.043, -2.799, 54.318, -2.748) == pytest.approx(19.1, abs=0.5)
    assert great_circle_miles(54.0, -3.0, 54.0, -3.0) == 0


def test_millom_to_furness_general_goes_round_the_duddon(org: Organisation) -> None:
    # Millom is about 5.9 miles from Furness General in a straight line, across the
    # Duddon estuary; the road goes round it by Broughton-in-Furness, Grizebeck and
    # Askam, about 23 miles each way. The old estimate (straight line x 2 x 1.3, about
    # 15 miles) undercounted it.
    millom = org.practice("BAY001")
    fgh = org.site("FGH")
    straight = great_circle_miles(millom.latitude, millom.longitude, fgh.latitude, fgh.longitude)
    assert 5 < straight < 7
    miles = org.round_trip_miles("BAY001", "FGH")
    assert 44 <= miles <= 56
    assert miles > 2.5 * straight * 2 * ROAD_FACTOR


def test_millom_to_lancaster_is_further_than_to_barrow(org: Organisation) -> None:
    # Round Morecambe Bay by the A590 and the A6 or M6: about 50 miles each way.
    assert org.round_trip_miles("BAY001", "RLI") > 2 * org.round_trip_miles("BAY001", "FGH")
    assert 90 < org.round_trip_miles("BAY001", "RLI") < 120


def test_without_a_road_network_miles_are_the_straight_line_estimate() -> None:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    org = Organisation.from_dict(data)
    assert org.roads is None
    millom = org.practice("BAY001")
    straight = great_circle_miles(millom.latitude, millom.longitude, 54.135, -3.205)
    assert org.round_trip_miles("BAY001", "FGH") == pytest.approx(straight * 2 * ROAD_FACTOR)


def test_load_uses_the_road_network_it_is_given(tmp_path: Path) -> None:
    # A network of one road, Millom to Furness General, of 40 miles.
    millom = Organisation.load().practice("BAY001")
    nodes = [
        {"code": "m", "name": "Millom", "latitude": millom.latitude, "longitude": millom.longitude},
        {"code": "f", "name": "FGH", "latitude": 54.135, "longitude": -3.205},
    ]
    edges = [{"from": "m", "to": "f", "road": "A595", "miles": 40}]
    path = tmp_path / "roads.json"
    path.write_text(json.dumps({"nodes": nodes, "edges": edges}), encoding="utf-8")
    org = Organisation.load(roads=RoadNetwork.load(path))
    assert org.round_trip_miles("BAY001", "FGH") == pytest.approx(80)


def test_load_reports_a_malformed_road_file_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "roads.json"
    path.write_text('{"nodes": [], "edges": [}', encoding="utf-8")
    monkeypatch.setattr(roads_module, "DEFAULT_PATH", path)
    with pytest.raises(RoadNetworkError, match=f"{path}: not valid JSON .line 1, column 25."):
        Organisation.load()


def _write(tmp_path: Path, change: dict) -> Path:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "organisation.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_load_refuses_a_duplicate_practice_code(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    practices = data["practices"] + [data["practices"][0]]
    with pytest.raises(OrganisationDataError, match="Two practices have the code 'BAY001'"):
        Organisation.load(_write(tmp_path, {"practices": practices}))


def test_load_refuses_a_practice_in_an_unknown_icc(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    practices = [dict(data["practices"][0], icc="NOWHERE")]
    with pytest.raises(OrganisationDataError, match="Practice BAY001 refers to 'NOWHERE'"):
        Organisation.load(_write(tmp_path, {"practices": practices}))


def test_load_refuses_a_missing_field(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    practice = {k: v for k, v in data["practices"][0].items() if k != "list_size"}
    with pytest.raises(OrganisationDataError, match="lacks the field 'list_size'"):
        Organisation.load(_write(tmp_path, {"practices": [practice]}))


# --- users -----------------------------------------------------------------------------


def _user(role: Role | str, practice: str | None = None, specialties: tuple = ()) -> User:
    return User("jsmith", "Dr J Smith", role, practice, specialties)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "user",
    [
        _user(Role.GP, "BAY001"),
        _user(Role.PRACTICE_MANAGER, "BAY047"),
        _user(Role.SPECIALIST, specialties=("300",)),
        _user(Role.SPECIALIST, specialties=("300", "812")),
        _user(Role.ADMIN),
        _user("gp", "BAY001"),
    ],
)
def test_consistent_users_are_accepted(user: User, org: Organisation) -> None:
    assert user.validate() is user
    assert user.validate(org) is user


@pytest.mark.parametrize(
    ("user", "message"),
    [
        (_user(Role.GP), "A GP must belong to a GP practice"),
        (_user(Role.PRACTICE_MANAGER), "A practice manager must belong to a GP practice"),
        (_user(Role.GP, "BAY001", ("300",)), "A GP has no specialties .* remove 300"),
        (
            _user(Role.PRACTICE_MANAGER, "BAY001", ("300",)),
            "A practice manager has no specialties",
        ),
        (_user(Role.SPECIALIST), "A specialist needs at least one specialty"),
        (
            _user(Role.SPECIALIST, "BAY001", ("300",)),
            "not a GP practice; remove the practice BAY001",
        ),
        (_user(Role.SPECIALIST, specialties=("300", "300")), "listed only once"),
        (_user(Role.SPECIALIST, specialties=(" ",)), "cannot be blank"),
        (_user(Role.ADMIN, "BAY001"), "An administrator has no practice .* BAY001"),
        (_user(Role.ADMIN, specialties=("300",)), "An administrator .* specialties 300"),
        (_user(Role.SYSTEM), "'system' is the hub itself"),
        (_user("surgeon"), "'surgeon' is not a role; choose one of GP, Specialist"),
        (User(" ", "Dr J Smith", Role.ADMIN), "needs a username"),
        (User("jsmith", "", Role.ADMIN), "'jsmith' needs a display name"),
    ],
)
def test_inconsistent_users_are_refused_saying_why(user: User, message: str) -> None:
    with pytest.raises(InvalidUser, match=message):
        user.validate()


def test_user_practice_must_exist_when_organisation_given(org: Organisation) -> None:
    user = _user(Role.GP, "BAY999")
    assert user.validate() is user
    with pytest.raises(InvalidUser, match="no practice with the code 'BAY999'"):
        user.validate(org)


def test_system_is_not_a_user_role() -> None:
    assert Role.SYSTEM not in USER_ROLES
    assert set(USER_ROLES) == set(Role) - {Role.SYSTEM}


def test_a_networks_practices_are_those_of_its_iccs() -> None:
    org = Organisation.load()
    furness = org.practices_in_network("FP")
    assert len(furness) == 14 and {org.network_of(p).code for p in furness} == {"FP"}
    every = [p.code for n in org.networks for p in org.practices_in_network(n.code)]
    assert sorted(every) == sorted(p.code for p in org.practices)
