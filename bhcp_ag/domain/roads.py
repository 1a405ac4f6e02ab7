"""The Bay's main roads as a network of places, for estimating road miles between points.

Patient miles not travelled are one of the system's True North metrics. A straight line
times :data:`ROAD_FACTOR` is a fair guess at road distance across open country, but not
round an estuary: Millom is about 6 miles from Furness General across the Duddon and
about 23 by road. So :class:`RoadNetwork` routes over the main roads of North
Lancashire and South Cumbria, read from ``resources/roads.json``: towns and junctions
(nodes) joined by sections of named roads (edges) with their road miles.

**The mileages are estimates** of main-road distances (see the file's ``about``), to be
checked by the trust against a route planner; the network is an assumption, not a
routed survey. :meth:`RoadNetwork.miles` explains how a point off the network joins it.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bhcp_ag.paths import RESOURCES_DIR

DEFAULT_PATH = RESOURCES_DIR / "roads.json"

ROAD_FACTOR = 1.3
"""Assumed road miles per straight-line mile: a typical ratio for rural England, used for
the short legs between a point and the road network (and for trips within one place)."""

JOIN_SLACK_MILES = 1.0
"""How much further than its nearest place a point may join the network (see
:meth:`RoadNetwork.joining_places`): enough to reach the road out of a town on the side
it lies, too little for a straight leg to cut across the Duddon or the Kent estuary
(though it may cross a narrow channel, such as Walney's, near a bridge)."""

EARTH_RADIUS_MILES = 3958.8


class RoadNetworkError(ValueError):
    """The road network file is malformed or inconsistent; the message says where."""


class UnknownPlace(LookupError):
    """The road network has no place with the code asked for."""


def great_circle_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The straight-line (haversine) distance in miles between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Place:
    """A node of the network: a town centre or a road junction."""

    code: str
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class RoadSection:
    """An edge of the network: a stretch of one road between two places, either way."""

    start: str
    end: str
    road: str
    miles: float


class RoadNetwork:
    """Places joined by road sections, with the shortest road miles between any two.

    Build one with :meth:`load`. The constructor refuses a section that names an unknown
    place, is not longer than 0 miles or is shorter than the straight line between its
    ends, and a network in which some place cannot be reached from the others.
    """

    def __init__(self, places: Iterable[Place], sections: Iterable[RoadSection]) -> None:
        self._places = _index(places)
        self._sections = tuple(sections)
        if not self._places:
            raise RoadNetworkError("The road network has no places.")
        self._neighbours: dict[str, list[tuple[str, float]]] = {code: [] for code in self._places}
        for section in self._sections:
            self._check(section)
            self._neighbours[section.start].append((section.end, section.miles))
            self._neighbours[section.end].append((section.start, section.miles))
        self._distances = {code: self._shortest_from(code) for code in self._places}
        self._check_connected()

    @classmethod
    def load(cls, path: Path | None = None) -> RoadNetwork:
        """Read the network file (by default ``resources/roads.json``).

        A malformed file raises :class:`RoadNetworkError` naming the file and the problem.
        """
        source = path or DEFAULT_PATH
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise RoadNetworkError(
                f"{source}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
            ) from error
        try:
            return cls.from_dict(data)
        except RoadNetworkError as error:
            raise RoadNetworkError(f"{source}: {error}") from error
        except KeyError as error:
            raise RoadNetworkError(f"{source}: a record lacks the field {error}.") from error
        except (TypeError, ValueError) as error:
            raise RoadNetworkError(f"{source}: {error}") from error

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoadNetwork:
        """Build from the parsed JSON document (see ``resources/roads.json``)."""
        places = [
            Place(n["code"], n["name"], float(n["latitude"]), float(n["longitude"]))
            for n in data["nodes"]
        ]
        sections = [
            RoadSection(e["from"], e["to"], e["road"], float(e["miles"])) for e in data["edges"]
        ]
        return cls(places, sections)

    @property
    def places(self) -> tuple[Place, ...]:
        return tuple(self._places.values())

    @property
    def sections(self) -> tuple[RoadSection, ...]:
        return self._sections

    def place(self, code: str) -> Place:
        try:
            return self._places[code]
        except KeyError:
            raise UnknownPlace(f"The road network has no place with the code '{code}'.") from None

    def route_miles(self, start: str, end: str) -> float:
        """The fewest road miles from one place to another (codes), along the network."""
        self.place(start)
        self.place(end)
        return self._distances[start][end]

    def nearest(self, latitude: float, longitude: float) -> tuple[Place, float]:
        """The place nearest a point in a straight line, and that distance in miles."""
        return self._by_distance(latitude, longitude)[0]

    def joining_places(self, latitude: float, longitude: float) -> list[tuple[Place, float]]:
        """Where a point may join the network: its nearest place and any other place at
        most :data:`JOIN_SLACK_MILES` further away, nearest first, with the distances."""
        by_distance = self._by_distance(latitude, longitude)
        limit = by_distance[0][1] + JOIN_SLACK_MILES
        return [(place, miles) for place, miles in by_distance if miles <= limit]

    def miles(self, from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> float:
        """Estimated road miles, one way, from one point to another.

        Each end joins the network by a straight line times :data:`ROAD_FACTOR` at one of
        its :meth:`joining_places` (so a practice on the edge of a town need not go by
        the town centre), and the route between takes the shortest path; the estimate is
        the shortest such combination. Where both ends can join at the same place, or
        the two points are nearer each other than to the network, the trip is local (the
        network would only lengthen it) and the estimate is the straight line times
        :data:`ROAD_FACTOR`. Only nearby places are joined so that a straight leg cannot
        cut across an estuary the roads go round.
        """
        straight = great_circle_miles(from_lat, from_lon, to_lat, to_lon)
        starts = self.joining_places(from_lat, from_lon)
        ends = self.joining_places(to_lat, to_lon)
        shared = {p.code for p, _ in starts} & {p.code for p, _ in ends}
        if shared or straight <= starts[0][1] + ends[0][1]:
            return straight * ROAD_FACTOR
        return min(
            (start_access + end_access) * ROAD_FACTOR + self._distances[start.code][end.code]
            for start, start_access in starts
            for end, end_access in ends
        )

    def _by_distance(self, latitude: float, longitude: float) -> list[tuple[Place, float]]:
        return sorted(
            (
                (p, great_circle_miles(latitude, longitude, p.latitude, p.longitude))
                for p in self._places.values()
            ),
            key=lambda pair: pair[1],
        )

    def _check(self, section: RoadSection) -> None:
        what = f"The {section.road} from '{section.start}' to '{section.end}'"
        for code in (section.start, section.end):
            if code not in self._places:
                raise RoadNetworkError(f"{what} names the place '{code}', which is not a node.")
        if section.start == section.end:
            raise RoadNetworkError(f"{what} starts and ends at the same place.")
        if not math.isfinite(section.miles) or section.miles <= 0:
            raise RoadNetworkError(f"{what} must be more than 0 miles, not {section.miles:g}.")
        a, b = self._places[section.start], self._places[section.end]
        straight = great_circle_miles(a.latitude, a.longitude, b.latitude, b.longitude)
        if section.miles < straight:
            raise RoadNetworkError(
                f"{what} is {section.miles:g} miles, shorter than the straight line between "
                f"them ({straight:.1f} miles): check the miles or the coordinates."
            )

    def _shortest_from(self, start: str) -> dict[str, float]:
        """Dijkstra's shortest road miles from one place to every place it can reach."""
        distances = {start: 0.0}
        queue = [(0.0, start)]
        while queue:
            miles, code = heapq.heappop(queue)
            if miles > distances[code]:
                continue
            for neighbour, length in self._neighbours[code]:
                candidate = miles + length
                if candidate < distances.get(neighbour, math.inf):
                    distances[neighbour] = candidate
                    heapq.heappush(queue, (candidate, neighbour))
        return distances

    def _check_connected(self) -> None:
        first = next(iter(self._places))
        unreached = [code for code in self._places if code not in self._distances[first]]
        if unreached:
            raise RoadNetworkError(
                f"The road network is not connected: {', '.join(unreached)} cannot be "
                f"reached by road from '{first}'."
            )


def _index(places: Iterable[Place]) -> dict[str, Place]:
    index: dict[str, Place] = {}
    for place in places:
        if place.code in index:
            raise RoadNetworkError(f"Two places have the code '{place.code}'.")
        if not (-90 <= place.latitude <= 90 and -180 <= place.longitude <= 180):
            raise RoadNetworkError(
                f"The place '{place.code}' is at ({place.latitude:g}, {place.longitude:g}), "
                "which is not a latitude and longitude in degrees."
            )
        index[place.code] = place
    return index
