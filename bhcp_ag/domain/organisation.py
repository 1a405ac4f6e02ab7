"""The Bay's structure (networks, ICCs, GP practices, hospital sites) and its users.

Bay Health and Care Partners serves about 365,000 people through 3 clinical networks,
12 Integrated Care Communities (ICCs) and 47 GP practices, with one hospital trust on
three main sites. Each network has one main hospital site; each ICC belongs to one
network; each practice to one ICC. The structure is read from
``resources/organisation.json``; its practices are invented for demonstration (see the
file's ``about``).

Miles travelled is one of the system's True North metrics.
:meth:`Organisation.round_trip_miles` estimates the road miles there and back along the
Bay's main roads (:class:`~bhcp_ag.domain.roads.RoadNetwork`, ``resources/roads.json``):
straight-line legs times :data:`ROAD_FACTOR` from the practice and the site to the
nearest town or junction, and the shortest route between. **This is an assumption**:
the network's mileages are estimates of main-road distances, for the trust to check
against a route planner. It follows the road round the estuaries, which a straight line
cannot: Millom to Furness General is about 6 miles across the Duddon but about 23 by road
(about 45 there and back, where a straight line times 1.3 gave about 15).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.roads import ROAD_FACTOR, RoadNetwork, great_circle_miles
from bhcp_ag.paths import RESOURCES_DIR

DEFAULT_PATH = RESOURCES_DIR / "organisation.json"


class UnknownCode(LookupError):
    """No network, ICC, practice or hospital site has the code asked for."""


class OrganisationDataError(ValueError):
    """The organisation file is inconsistent (a duplicate code or a dangling reference)."""


@dataclass(frozen=True)
class HospitalSite:
    code: str
    name: str
    town: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Network:
    """A clinical network: a group of ICCs served by one main hospital site."""

    code: str
    name: str
    main_site_code: str


@dataclass(frozen=True)
class ICC:
    """An Integrated Care Community: a group of practices within one network."""

    code: str
    name: str
    network_code: str


@dataclass(frozen=True)
class Practice:
    """A GP practice; ``code`` is an invented ODS-like code (``BAY001`` ... ``BAY047``)."""

    code: str
    name: str
    icc_code: str
    town: str
    latitude: float
    longitude: float
    list_size: int


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


_C = TypeVar("_C", bound=_Coded)


def _index(items: tuple[_C, ...], kind: str) -> dict[str, _C]:
    index: dict[str, _C] = {}
    for item in items:
        if item.code in index:
            raise OrganisationDataError(f"Two {kind}s have the code '{item.code}'.")
        index[item.code] = item
    return index


def _lookup(index: dict[str, _C], code: str, kind: str) -> _C:
    try:
        return index[code]
    except KeyError:
        raise UnknownCode(f"There is no {kind} with the code '{code}'.") from None


def _require(reference: str, index: dict[str, Any], what: str) -> None:
    if reference not in index:
        raise OrganisationDataError(f"{what} refers to '{reference}', which does not exist.")


class Organisation:
    """The Bay's networks, ICCs, practices and hospital sites, with look-ups between them.

    Build one with :meth:`load` (from ``resources/organisation.json`` and
    ``resources/roads.json`` unless told otherwise); the constructor checks codes are
    unique and every reference resolves. Built without a road network, it estimates
    miles as the straight line times :data:`ROAD_FACTOR`, which undercounts trips round
    an estuary.
    """

    def __init__(
        self,
        sites: tuple[HospitalSite, ...],
        networks: tuple[Network, ...],
        iccs: tuple[ICC, ...],
        practices: tuple[Practice, ...],
        roads: RoadNetwork | None = None,
    ) -> None:
        self._roads = roads
        self._sites = _index(sites, "hospital site")
        self._networks = _index(networks, "network")
        self._iccs = _index(iccs, "ICC")
        self._practices = _index(practices, "practice")
        for network in networks:
            _require(network.main_site_code, self._sites, f"Network {network.code}")
        for icc in iccs:
            _require(icc.network_code, self._networks, f"ICC {icc.code}")
        for practice in practices:
            _require(practice.icc_code, self._iccs, f"Practice {practice.code}")

    @classmethod
    def load(cls, path: Path | None = None, roads: RoadNetwork | None = None) -> Organisation:
        """Read the organisation file (by default ``resources/organisation.json``), with
        ``roads`` or else the road network of ``resources/roads.json``."""
        source = path or DEFAULT_PATH
        data = json.loads(source.read_text(encoding="utf-8"))
        if roads is None:
            roads = RoadNetwork.load()
        try:
            return cls.from_dict(data, roads)
        except KeyError as error:
            raise OrganisationDataError(f"{source}: a record lacks the field {error}.") from error
        except (TypeError, ValueError) as error:
            raise OrganisationDataError(f"{source}: {error}") from error

    @classmethod
    def from_dict(cls, data: dict[str, Any], roads: RoadNetwork | None = None) -> Organisation:
        """Build from the parsed JSON document (see ``resources/organisation.json``)."""
        sites = tuple(
            HospitalSite(
                s["code"], s["name"], s["town"], float(s["latitude"]), float(s["longitude"])
            )
            for s in data["hospital_sites"]
        )
        networks = tuple(Network(n["code"], n["name"], n["main_site"]) for n in data["networks"])
        iccs = tuple(ICC(i["code"], i["name"], i["network"]) for i in data["iccs"])
        practices = tuple(
            Practice(
                p["code"],
                p["name"],
                p["icc"],
                p["town"],
                float(p["latitude"]),
                float(p["longitude"]),
                int(p["list_size"]),
            )
            for p in data["practices"]
        )
        return cls(sites, networks, iccs, practices, roads)

    @property
    def roads(self) -> RoadNetwork | None:
        """The road network miles are estimated along (None: straight lines)."""
        return self._roads

    @property
    def sites(self) -> tuple[HospitalSite, ...]:
        return tuple(self._sites.values())

    @property
    def networks(self) -> tuple[Network, ...]:
        return tuple(self._networks.values())

    @property
    def iccs(self) -> tuple[ICC, ...]:
        return tuple(self._iccs.values())

    @property
    def practices(self) -> tuple[Practice, ...]:
        return tuple(self._practices.values())

    def site(self, code: str) -> HospitalSite:
        return _lookup(self._sites, code, "hospital site")

    def network(self, code: str) -> Network:
        return _lookup(self._networks, code, "network")

    def icc(self, code: str) -> ICC:
        return _lookup(self._iccs, code, "ICC")

    def practice(self, code: str) -> Practice:
        return _lookup(self._practices, code, "practice")

    def practices_in(self, icc_code: str) -> tuple[Practice, ...]:
        """The practices of one ICC, in file order."""
        self.icc(icc_code)
        return tuple(p for p in self._practices.values() if p.icc_code == icc_code)

    def iccs_in(self, network_code: str) -> tuple[ICC, ...]:
        """The ICCs of one network, in file order."""
        self.network(network_code)
        return tuple(i for i in self._iccs.values() if i.network_code == network_code)

    def practices_in_network(self, network_code: str) -> tuple[Practice, ...]:
        """The practices of one network, ICC by ICC, in file order."""
        return tuple(p for icc in self.iccs_in(network_code) for p in self.practices_in(icc.code))

    def _as_practice(self, practice: Practice | str) -> Practice:
        return self.practice(practice) if isinstance(practice, str) else practice

    def icc_of(self, practice: Practice | str) -> ICC:
        return self.icc(self._as_practice(practice).icc_code)

    def network_of(self, practice: Practice | str) -> Network:
        return self.network(self.icc_of(practice).network_code)

    def main_site_of(self, practice: Practice | str) -> HospitalSite:
        """The main hospital site of the practice's network."""
        return self.site(self.network_of(practice).main_site_code)

    def round_trip_miles(self, practice_code: str, site_code: str) -> float:
        """Estimated road miles from the practice to the site and back, along the main
        roads (:meth:`RoadNetwork.miles <bhcp_ag.domain.roads.RoadNetwork.miles>`, an
        assumption explained in the module docstring); without a road network, the
        straight line x 2 x :data:`ROAD_FACTOR`.
        """
        practice = self.practice(practice_code)
        site = self.site(site_code)
        ends = (practice.latitude, practice.longitude, site.latitude, site.longitude)
        if self._roads is None:
            return great_circle_miles(*ends) * 2 * ROAD_FACTOR
        return self._roads.miles(*ends) * 2


# ---------------------------------------------------------------------------------------
# Users and their roles

USER_ROLES: tuple[Role, ...] = (Role.GP, Role.SPECIALIST, Role.PRACTICE_MANAGER, Role.ADMIN)
"""The roles a person can hold (``Role.SYSTEM`` is the hub itself, never a user)."""

_PRACTICE_ROLES = frozenset({Role.GP, Role.PRACTICE_MANAGER})


class InvalidUser(ValueError):
    """A user whose role, practice and specialties do not fit together; says why."""


def _with_article(role: Role) -> str:
    label = role.label if role == Role.GP else role.label.lower()
    return f"{'An' if label[0].lower() in 'aeiou' else 'A'} {label}"


@dataclass(frozen=True)
class User:
    """A person who uses the app.

    GPs and practice managers belong to one practice and have no specialties; a
    specialist answers for one or more specialties (treatment function codes) and has no
    practice; an administrator has neither.
    """

    username: str
    display_name: str
    role: Role
    practice_code: str | None = None
    specialty_codes: tuple[str, ...] = ()

    def validate(self, organisation: Organisation | None = None) -> User:
        """Return this user, or raise :class:`InvalidUser` with a message saying what to fix.

        Given an ``organisation``, the practice code must also be one of its practices.
        """
        if not self.username.strip():
            raise InvalidUser("A user needs a username.")
        if not self.display_name.strip():
            raise InvalidUser(f"The user '{self.username}' needs a display name.")
        role = _user_role(self.role)
        if role in _PRACTICE_ROLES:
            self._check_practice_side(role, organisation)
        elif role == Role.SPECIALIST:
            self._check_specialist()
        elif self.practice_code or self.specialty_codes:
            raise InvalidUser(
                "An administrator has no practice and no specialties; remove "
                f"{self._affiliations()}."
            )
        return self

    def _check_practice_side(self, role: Role, organisation: Organisation | None) -> None:
        if not self.practice_code:
            raise InvalidUser(f"{_with_article(role)} must belong to a GP practice; choose one.")
        if self.specialty_codes:
            raise InvalidUser(
                f"{_with_article(role)} has no specialties (only specialists do); remove "
                f"{', '.join(self.specialty_codes)}."
            )
        if organisation is not None:
            try:
                organisation.practice(self.practice_code)
            except UnknownCode as error:
                raise InvalidUser(str(error)) from None

    def _check_specialist(self) -> None:
        if self.practice_code:
            raise InvalidUser(
                "A specialist works for the hospital, not a GP practice; remove the "
                f"practice {self.practice_code}."
            )
        if not self.specialty_codes:
            raise InvalidUser("A specialist needs at least one specialty; choose one.")
        if any(not code.strip() for code in self.specialty_codes):
            raise InvalidUser("A specialty code cannot be blank.")
        if len(set(self.specialty_codes)) != len(self.specialty_codes):
            raise InvalidUser("Each specialty can be listed only once.")

    def _affiliations(self) -> str:
        parts = [f"the practice {self.practice_code}"] if self.practice_code else []
        if self.specialty_codes:
            parts.append(f"the specialties {', '.join(self.specialty_codes)}")
        return " and ".join(parts)


def _user_role(value: Role | str) -> Role:
    """The role as a :class:`Role`, refusing ``system`` and anything unknown."""
    choices = ", ".join(r.label for r in USER_ROLES)
    try:
        role = Role(value)
    except ValueError:
        raise InvalidUser(f"'{value}' is not a role; choose one of {choices}.") from None
    if role not in USER_ROLES:
        raise InvalidUser(
            f"'{role.value}' is the hub itself, not a role a person can hold; choose one of "
            f"{choices}."
        )
    return role
