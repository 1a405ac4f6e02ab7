"""The specialties that answer Advice and Guidance requests, and their request templates.

The list lives in ``resources/specialties.csv`` (columns ``tfc_code,name,short_name``):
NHS Data Dictionary Treatment Function Codes and names. Each specialty's lead for Advice
and Guidance lives in ``resources/specialty_leads.csv`` (``tfc_code,lead_username,
lead_name``), kept by the trust: the consultant who keeps responsibility for the advice the
team gives (e-RS's rule; named on every piece of advice) and to whom a request is escalated
a working day after it fell overdue. ``lead_username`` is their hub account.

Whether a photo is expected is part of each specialty's template
(``resources/templates/<tfc_code>.json``), so the template is the one place that says
what a specialty needs.

:class:`SpecialtyCatalogue` is built once by the composition root (or a test) and passed
in; nothing here is loaded at import time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from bhcp_ag.domain.templates import RequestTemplate, load_template
from bhcp_ag.paths import RESOURCES_DIR

CSV_COLUMNS = ("tfc_code", "name", "short_name")
_TFC_PATTERN = re.compile(r"^\d{3}$")


LEAD_COLUMNS = ("tfc_code", "lead_username", "lead_name")


@dataclass(frozen=True)
class Specialty:
    tfc_code: str
    name: str
    short_name: str
    lead_username: str = ""  # the responsible consultant and lead's hub account
    lead_name: str = ""  # as named on advice: "Dr Bronwen Rees"

    def __str__(self) -> str:
        return self.short_name


def _csv_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """The (line, stripped cells) of each non-blank row of a reference CSV headed
    ``columns``, each row checked to fill every column; ValueError names file and line."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader, ()))
        if header != columns:
            raise ValueError(f"{path}: header must be {','.join(columns)}, not {header}")
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    checked: list[tuple[int, list[str]]] = []
    for line, row in rows:
        cells = [cell.strip() for cell in row]
        if len(cells) != len(columns) or not all(cells):
            raise ValueError(
                f"{path}, line {line}: expected {len(columns)} non-empty columns, got {row}"
            )
        checked.append((line, cells))
    return checked


def read_specialties(path: Path) -> tuple[Specialty, ...]:
    """Read and check a specialties CSV; ValueError names the file and line of a fault."""
    specialties: list[Specialty] = []
    seen: set[str] = set()
    for line, (code, name, short_name) in _csv_rows(path, CSV_COLUMNS):
        if not _TFC_PATTERN.match(code):
            raise ValueError(f"{path}, line {line}: {code!r} is not a 3-digit TFC code")
        if code in seen:
            raise ValueError(f"{path}, line {line}: TFC code {code} is listed twice")
        seen.add(code)
        specialties.append(Specialty(code, name, short_name))
    return tuple(specialties)


def with_leads(specialties: Iterable[Specialty], path: Path) -> tuple[Specialty, ...]:
    """``specialties`` with their leads from ``path``; ValueError names the file and the
    specialty without a lead, or the line of a fault."""
    leads = {code: (user.lower(), name) for _, (code, user, name) in _csv_rows(path, LEAD_COLUMNS)}
    listed = tuple(specialties)
    missing = [s.short_name for s in listed if s.tfc_code not in leads]
    if missing:
        raise ValueError(f"{path}: no lead named for {', '.join(missing)}")
    return tuple(
        replace(s, lead_username=leads[s.tfc_code][0], lead_name=leads[s.tfc_code][1])
        for s in listed
    )


class SpecialtyCatalogue:
    """The specialties in a resources folder, found by code or by search.

    Templates are read on first use and cached; the results are frozen, so a catalogue
    may be shared between threads (at worst two threads read the same file once each).
    """

    def __init__(self, specialties: Iterable[Specialty], templates_dir: Path) -> None:
        ordered = sorted(specialties, key=lambda s: (s.short_name.casefold(), s.tfc_code))
        self._specialties = tuple(ordered)
        self._by_code = {specialty.tfc_code: specialty for specialty in ordered}
        if len(self._by_code) != len(self._specialties):
            raise ValueError("Each specialty needs its own treatment function code.")
        self._templates_dir = templates_dir
        self._templates: dict[str, RequestTemplate] = {}

    @classmethod
    def load(cls, resources_dir: Path | None = None) -> SpecialtyCatalogue:
        """Read ``specialties.csv`` from ``resources_dir`` (default: the app's resources)."""
        directory = resources_dir or RESOURCES_DIR
        specialties = read_specialties(directory / "specialties.csv")
        leads_file = directory / "specialty_leads.csv"
        if leads_file.exists():
            specialties = with_leads(specialties, leads_file)
        return cls(specialties, directory / "templates")

    def all(self) -> tuple[Specialty, ...]:
        """Every specialty, sorted by short name."""
        return self._specialties

    def get(self, tfc_code: str) -> Specialty:
        try:
            return self._by_code[str(tfc_code).strip()]
        except KeyError:
            raise KeyError(
                f"No Advice and Guidance specialty has treatment function code {tfc_code!r}."
            ) from None

    def search(self, text: str) -> tuple[Specialty, ...]:
        """Specialties whose name, short name or code contain ``text``, ignoring case.

        Exact matches come first, then those with a word starting with the text, then
        the rest, each group by short name; blank text gives every specialty.
        """
        needle = text.strip().casefold()
        if not needle:
            return self._specialties
        ranked = [
            (rank, specialty)
            for specialty in self._specialties
            if (rank := _match_rank(specialty, needle)) is not None
        ]
        return tuple(specialty for _, specialty in sorted(ranked, key=lambda pair: pair[0]))

    def template(self, tfc_code: str) -> RequestTemplate:
        """The specialty's request template (read once, then cached)."""
        code = self.get(tfc_code).tfc_code
        template = self._templates.get(code)
        if template is None:
            template = load_template(code, self._templates_dir)
            self._templates[code] = template
        return template

    def __len__(self) -> int:
        return len(self._specialties)

    def __iter__(self) -> Iterator[Specialty]:
        return iter(self._specialties)

    def __contains__(self, tfc_code: object) -> bool:
        return tfc_code in self._by_code


def _match_rank(specialty: Specialty, needle: str) -> int | None:
    """0 for an exact match, 1 for a word starting with ``needle``, 2 inside; None: no match."""
    haystacks = [specialty.tfc_code, specialty.short_name.casefold(), specialty.name.casefold()]
    if needle in haystacks:
        return 0
    words = (word for haystack in haystacks for word in re.split(r"[\s&/-]+", haystack))
    if any(word.startswith(needle) for word in words):
        return 1
    if any(needle in haystack for haystack in haystacks):
        return 2
    return None
