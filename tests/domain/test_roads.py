"""The Bay's road network: the file, routing over it, and refusing malformed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.roads import (
    DEFAULT_PATH,
    ROAD_FACTOR,
    Place,
    RoadNetwork,
    RoadNetworkError,
    RoadSection,
    UnknownPlace,
    great_circle_miles,
)


@pytest.fixture(scope="module")
def roads() -> RoadNetwork:
    return RoadNetwork.load()


def _code(roads: RoadNetwork, name: str) -> str:
    (place,) = [p for p in roads.places if p.name == name]
    return place.code


# --- the shipped network ---------------------------------------------------------------

# One way, by road, in miles: (from, to, at least, at most), from the task's anchors.
ANCHORS = [
    ("Millom", "Barrow-in-Furness", 24, 26),
    ("Barrow-in-Furness", "Kendal", 33, 35),
    ("Ulverston", "Kendal", 23, 25),
    ("Kendal", "Lancaster", 20, 23),
    ("Grange-over-Sands", "Kendal", 12, 14),
    ("Windermere", "Kendal", 8, 10),
    ("Ambleside", "Kendal", 13, 14),
    ("Sedbergh", "Kendal", 10, 11),
    ("Kirkby Lonsdale", "Kendal", 12, 13),
    ("Carnforth", "Lancaster", 6, 7),
    ("Morecambe", "Lancaster", 3, 5),
    ("Garstang", "Lancaster", 10, 12),
    ("Coniston", "Ulverston", 14, 16),
    ("Dalton-in-Furness", "Barrow-in-Furness", 3, 5),
]


@pytest.mark.parametrize(("start", "end", "low", "high"), ANCHORS)
def test_routes_match_the_known_road_distances(
    roads: RoadNetwork, start: str, end: str, low: float, high: float
) -> None:
    miles = roads.route_miles(_code(roads, start), _code(roads, end))
    assert low <= miles <= high, f"{start} to {end}: {miles:.1f} miles"


def test_the_file_says_its_miles_are_estimates_to_check() -> None:
    about = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["about"]
    assert "estimates" in about.lower()
    assert "route planner" in about
    assert "assumption" in about


def test_every_road_section_names_its_road(roads: RoadNetwork) -> None:
    assert len(roads.sections) >= 50
    for section in roads.sections:
        assert section.road.strip(), section


TASK_PLACES = """Millom, Broughton-in-Furness, Grizebeck, Kirkby-in-Furness, Askam-in-Furness,
Dalton-in-Furness, Barrow-in-Furness, Ulverston, Greenodd, Newby Bridge, Cartmel,
Grange-over-Sands, Lindale, Kendal, Staveley, Windermere, Ambleside, Hawkshead, Coniston,
Sedbergh, Kirkby Lonsdale, Milnthorpe, Arnside, Silverdale, Carnforth, Bolton-le-Sands, Caton,
Lancaster, Morecambe, Heysham, Galgate, Garstang""".replace("\n", " ").split(", ")


def test_the_places_named_in_the_task_are_nodes(roads: RoadNetwork) -> None:
    names = {p.name for p in roads.places}
    assert len(TASK_PLACES) == 32
    assert set(TASK_PLACES) - names == set()
    for junction in (34, 35, 36):
        assert any(name.startswith(f"M6 junction {junction} ") for name in names), junction
    assert any(name.startswith("Levens") for name in names)


def test_every_practice_town_is_a_node() -> None:
    roads = RoadNetwork.load()
    names = {p.name for p in roads.places}
    towns = {p.town for p in Organisation.load(roads=roads).practices}
    assert towns - names == set()


def test_every_practice_and_site_is_near_the_network(roads: RoadNetwork) -> None:
    organisation = Organisation.load(roads=roads)
    for point in (*organisation.practices, *organisation.sites):
        _, miles = roads.nearest(point.latitude, point.longitude)
        assert miles < 1.5, point.code


def test_miles_are_symmetric(roads: RoadNetwork) -> None:
    organisation = Organisation.load(roads=roads)
    for practice in organisation.practices:
        for site in organisation.sites:
            there = roads.miles(
                practice.latitude, practice.longitude, site.latitude, site.longitude
            )
            back = roads.miles(site.latitude, site.longitude, practice.latitude, practice.longitude)
            assert there == pytest.approx(back), (practice.code, site.code)


def test_the_duddon_estuary_is_driven_round_not_crossed(roads: RoadNetwork) -> None:
    millom = roads.place(_code(roads, "Millom"))
    askam = roads.place(_code(roads, "Askam-in-Furness"))
    straight = great_circle_miles(
        millom.latitude, millom.longitude, askam.latitude, askam.longitude
    )
    assert straight < 4
    miles = roads.miles(millom.latitude, millom.longitude, askam.latitude, askam.longitude)
    assert miles == pytest.approx(roads.route_miles(millom.code, askam.code))
    assert miles > 3 * straight * ROAD_FACTOR


def test_an_unknown_place_is_refused_clearly(roads: RoadNetwork) -> None:
    with pytest.raises(UnknownPlace, match="no place with the code 'atlantis'"):
        roads.route_miles("millom", "atlantis")


# --- routing, on small networks --------------------------------------------------------

# Small networks near latitude 0, laid out in miles east and north of the origin.
MILE = 1 / great_circle_miles(0, 0, 0, 1)
"""Degrees of latitude (or of longitude at the equator) in one mile."""


def _place(code: str, miles_east: float, miles_north: float = 0.0) -> Place:
    return Place(code, code.title(), miles_north * MILE, miles_east * MILE)


def _at(miles_east: float, miles_north: float = 0.0) -> tuple[float, float]:
    return miles_north * MILE, miles_east * MILE


def _miles(roads: RoadNetwork, start: tuple[float, float], end: tuple[float, float]) -> float:
    return roads.miles(*start, *end)


def test_a_trip_joins_at_the_nearest_places_and_takes_the_shortest_route() -> None:
    places = [_place("a", 0), _place("b", 10), _place("c", 5, 4)]
    roads = RoadNetwork(
        places,
        [
            RoadSection("a", "b", "A1", 30),
            RoadSection("a", "c", "A2", 8),
            RoadSection("c", "b", "A3", 9),
        ],
    )
    assert roads.route_miles("a", "b") == pytest.approx(17)
    miles = _miles(roads, _at(-0.5), _at(10.25))
    assert miles == pytest.approx(0.75 * ROAD_FACTOR + 17, rel=1e-3)


def test_a_trip_within_one_place_is_the_straight_line_times_the_road_factor() -> None:
    roads = RoadNetwork([_place("a", 0), _place("b", 10)], [RoadSection("a", "b", "A1", 12)])
    assert _miles(roads, _at(-1), _at(1, 1)) == pytest.approx(
        great_circle_miles(*_at(-1), *_at(1, 1)) * ROAD_FACTOR
    )


def test_points_nearer_each_other_than_the_network_go_straight() -> None:
    # Both points lie midway between a and b: each joins a different place 2.5 miles
    # off, but they are 1 mile apart.
    roads = RoadNetwork([_place("a", 0), _place("b", 10)], [RoadSection("a", "b", "A1", 12)])
    start, end = _at(4.5, 2), _at(5.5, 2)
    assert _miles(roads, start, end) == pytest.approx(1 * ROAD_FACTOR, rel=1e-3)


def _town_with_a_bypass() -> RoadNetwork:
    # The hospital road leaves from a junction 2.5 miles east of the town centre.
    places = [_place("centre", 0), _place("junction", 2.5), _place("hospital", 12.5)]
    return RoadNetwork(
        places,
        [
            RoadSection("centre", "junction", "A1", 3),
            RoadSection("junction", "hospital", "A1", 10.2),
            RoadSection("centre", "hospital", "A2", 19),
        ],
    )


def test_a_point_joins_at_a_slightly_further_place_when_that_is_shorter() -> None:
    # The practice is 1 mile from the centre and 1.5 from the junction: going by the
    # centre would add about 2 miles.
    miles = _miles(_town_with_a_bypass(), _at(1), _at(12.5))
    assert miles == pytest.approx(1.5 * ROAD_FACTOR + 10.2, rel=1e-3)


def test_points_that_can_join_at_the_same_place_go_straight() -> None:
    # The practice (1 mile from the centre) and the clinic (1.28 miles from the junction)
    # are 2.62 miles apart; both can join at the junction, so the trip is local.
    start, end = _at(1), _at(3.5, 0.8)
    straight = great_circle_miles(*start, *end)
    assert straight > 1 + 1.28
    assert _miles(_town_with_a_bypass(), start, end) == pytest.approx(straight * ROAD_FACTOR)


def test_a_place_across_water_is_not_joined() -> None:
    # An estuary: "near" is 3 miles across the water from "far"; the road goes round (25).
    places = [_place("near", 0), _place("far", 0, 3)]
    roads = RoadNetwork(places, [RoadSection("near", "far", "A595", 25)])
    assert _miles(roads, _at(0), _at(0, 3)) == pytest.approx(25)


# --- malformed files -------------------------------------------------------------------


def _document(**change: Any) -> dict[str, Any]:
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data.update(change)
    return data


def _write(tmp_path: Path, data: dict[str, Any] | str) -> Path:
    path = tmp_path / "roads.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_the_shipped_file_copied_elsewhere_loads(tmp_path: Path) -> None:
    roads = RoadNetwork.load(_write(tmp_path, _document()))
    assert roads.route_miles("millom", "barrow") == RoadNetwork.load().route_miles(
        "millom", "barrow"
    )


def test_an_edge_to_an_unknown_node_is_refused(tmp_path: Path) -> None:
    data = _document()
    data["edges"].append({"from": "millom", "to": "whitehaven", "road": "A595", "miles": 28})
    with pytest.raises(
        RoadNetworkError, match="A595 from 'millom' to 'whitehaven' names the place 'whitehaven'"
    ) as raised:
        RoadNetwork.load(_write(tmp_path, data))
    assert str(tmp_path) in str(raised.value)


@pytest.mark.parametrize("miles", [0, -3.5])
def test_an_edge_of_no_length_is_refused(tmp_path: Path, miles: float) -> None:
    data = _document()
    data["edges"][0]["miles"] = miles
    with pytest.raises(RoadNetworkError, match=f"must be more than 0 miles, not {miles:g}"):
        RoadNetwork.load(_write(tmp_path, data))


def test_an_edge_shorter_than_the_straight_line_is_refused(tmp_path: Path) -> None:
    data = _document()
    data["edges"][0]["miles"] = 0.5  # Millom to Broughton, about 5 miles apart
    with pytest.raises(RoadNetworkError, match="shorter than the straight line"):
        RoadNetwork.load(_write(tmp_path, data))


def test_a_disconnected_network_is_refused(tmp_path: Path) -> None:
    data = _document()
    douglas = {"code": "isle-of-man", "name": "Douglas", "latitude": 54.15, "longitude": -4.48}
    data["nodes"].append(douglas)
    with pytest.raises(RoadNetworkError, match="not connected: isle-of-man cannot be reached"):
        RoadNetwork.load(_write(tmp_path, data))


def test_a_duplicate_node_is_refused(tmp_path: Path) -> None:
    data = _document()
    data["nodes"].append(dict(data["nodes"][0]))
    with pytest.raises(RoadNetworkError, match="Two places have the code 'millom'"):
        RoadNetwork.load(_write(tmp_path, data))


def test_an_edge_from_a_place_to_itself_is_refused(tmp_path: Path) -> None:
    data = _document()
    data["edges"].append({"from": "kendal", "to": "kendal", "road": "A6", "miles": 1})
    with pytest.raises(RoadNetworkError, match="starts and ends at the same place"):
        RoadNetwork.load(_write(tmp_path, data))


def test_a_missing_field_is_refused(tmp_path: Path) -> None:
    data = _document()
    del data["edges"][3]["road"]
    with pytest.raises(RoadNetworkError, match="a record lacks the field 'road'"):
        RoadNetwork.load(_write(tmp_path, data))


def test_a_miles_figure_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    data = _document()
    data["edges"][0]["miles"] = "eight"
    with pytest.raises(RoadNetworkError, match="roads.json: could not convert"):
        RoadNetwork.load(_write(tmp_path, data))


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RoadNetworkError, match=r"not valid JSON \(line 1, column 11\)"):
        RoadNetwork.load(_write(tmp_path, '{"nodes": ]'))


def test_an_empty_network_is_refused() -> None:
    with pytest.raises(RoadNetworkError, match="no places"):
        RoadNetwork([], [])
