"""The scheme's published years: the figures a demo of one of them reproduces exactly.

The Bay's Advice and Guidance scheme reported for 2016/17, with 19 specialties: 4,634
conversations; of 2,422 that would have been referred before the scheme, 1,602
appointments were prevented (66%). :data:`PUBLISHED_YEARS` holds those figures, and
:func:`bhcp_ag.domain.demo.plan_scheme_year` plans a financial year (1 April to 31 March,
London) that gives them in the A&G report over that year, whatever the seed:

- the counts are decided by construction, not by chance: :meth:`SchemeYear.quotas`
  shuffles a list of exactly 1,602 avoided, 820 would-have-referred-but-not-avoided and
  2,212 would-not-have-referred (answered "no" or "unsure") requests, and each request's
  story is drawn as usual but conditioned on its part of the list;
- every story ends (closed, converted or cancelled) before :attr:`SchemeYear.settled_by`,
  1 May after the year: the year's last requests may be closed in April, as they were
  when the year's figures were counted, and counting by the day a request was sent, the
  report over the year is final;
- no drafts and no requests left waiting: the year is history.

The 19 specialties of 2016/17 are an assumption of the demo: the reports give their
number, not their names. :data:`SPECIALTIES_2016_17` takes the 24 of 2018 and leaves out
the five most plausibly added later (see :data:`LATER_SPECIALTIES`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from bhcp_ag.domain.specialties import SpecialtyCatalogue

LATER_SPECIALTIES: dict[str, str] = {
    "812": "diagnostic imaging: the 2018 scheme names diagnostics as new",
    "710": "adult mental health: a service of the mental health trusts, not of the hospital",
    "191": "pain management: a small service, mostly reached through other specialties",
    "107": "vascular surgery: a small service, shared with the region's arterial centre",
    "361": "renal medicine: a small service, shared with the region's renal unit",
}
"""The five of today's 24 specialties the 2016/17 demo leaves out, and why (assumed)."""

SPECIALTIES_2016_17: tuple[str, ...] = (
    "100", "101", "103", "104", "110", "120", "130", "140", "301", "302",
    "303", "320", "330", "340", "400", "410", "420", "430", "502",
)  # fmt: skip
"""The 19 treatment function codes the 2016/17 demo uses: the 24, less the later five."""

_YEAR = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")


class Quota(NamedTuple):
    """One request's part of a published year's counts."""

    would_have_referred: bool  # the GP answered "yes" (otherwise "no" or "unsure")
    avoided: bool  # the referral was avoided (only where the GP would have referred)


@dataclass(frozen=True)
class SchemeYear:
    """A financial year of the scheme as published: its counts and its specialties."""

    first_year: int  # the year of its 1 April: 2016 for 2016/17
    conversations: int  # requests sent in the year
    would_have_referred: int  # of those, the GP would have referred without advice
    avoided: int  # of those, closed without a referral
    specialty_codes: tuple[str, ...]

    def __post_init__(self) -> None:
        if not 0 <= self.avoided <= self.would_have_referred <= self.conversations:
            raise ValueError(f"{self.label}: the counts must nest (avoided ≤ yes ≤ all).")

    @property
    def label(self) -> str:
        """``2016/17``."""
        return f"{self.first_year}/{(self.first_year + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.first_year, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.first_year + 1, 3, 31)

    @property
    def end(self) -> date:
        """The day after the year: requests are sent until midnight at its start."""
        return date(self.first_year + 1, 4, 1)

    @property
    def settled_by(self) -> date:
        """Every conversation of the year has ended by midnight at the start of this day."""
        return date(self.first_year + 1, 5, 1)

    @property
    def avoidance_rate(self) -> float:
        """Referrals avoided as a percentage of would-have-referred (66.1 for 2016/17)."""
        return 100 * self.avoided / self.would_have_referred if self.would_have_referred else 0.0

    def check_specialties(self, catalogue: SpecialtyCatalogue) -> None:
        """Raise ``ValueError`` unless every specialty of the year is in ``catalogue``."""
        known = {specialty.tfc_code for specialty in catalogue.all()}
        missing = sorted(set(self.specialty_codes) - known)
        if missing:
            raise ValueError(f"{self.label}: unknown specialties {', '.join(missing)}.")

    def quotas(self, rng: random.Random) -> list[Quota]:
        """One :class:`Quota` per request of the year, exactly the published counts, shuffled."""
        yes = self.would_have_referred
        quotas = (
            [Quota(True, True)] * self.avoided
            + [Quota(True, False)] * (yes - self.avoided)
            + [Quota(False, False)] * (self.conversations - yes)
        )
        rng.shuffle(quotas)
        return quotas


PUBLISHED_YEARS: dict[str, SchemeYear] = {
    "2016/17": SchemeYear(
        first_year=2016,
        conversations=4634,
        would_have_referred=2422,
        avoided=1602,
        specialty_codes=SPECIALTIES_2016_17,
    ),
}
"""The years whose figures the scheme published, by label."""


def scheme_year(text: str) -> SchemeYear:
    """The published year ``text`` names: ``2016/17``, ``2016-17`` or ``2016/2017``.

    Raises ``ValueError`` with a readable message for anything else.
    """
    match = _YEAR.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a financial year like 2016/17.")
    first, second = int(match[1]), int(match[2])
    if second != ((first + 1) % 100 if len(match[2]) == 2 else first + 1):
        raise ValueError(f"'{text}' is not a financial year: April {first} to March {first + 1}.")
    label = f"{first}/{(first + 1) % 100:02d}"
    if label not in PUBLISHED_YEARS:
        known = ", ".join(PUBLISHED_YEARS)
        raise ValueError(f"The scheme published no figures for {label} (known: {known}).")
    return PUBLISHED_YEARS[label]
