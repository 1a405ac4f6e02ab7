"""A realistic, deterministic Bay year of demo Advice and Guidance conversations.

Pure planning, shared by the desktop store (:mod:`bhcp_ag.store.demo`) and the hub
(:mod:`bhcp_ag.hub.demo_conversations`), which each only write the planned rows:

- :mod:`.plan`: :func:`plan_demo_year`, the conversations and messages as rows, and the
  :class:`DemoSummary` of them; :func:`plan_scheme_year`, a year the scheme published;
- :mod:`.scheme_year`: the published years' figures (2016/17) and specialties;
- :mod:`.world`: the calendar, practices, specialties and staff a year is drawn from;
- :mod:`.people`: the staff, their stable ids and the synthetic patients;
- :mod:`.timeline`: what happens to each request, cut off at the year end;
- :mod:`.content`: what the GP writes;
- :mod:`.wording`: the phrase lists and scenarios of ``resources/demo/``;
- :mod:`.draw`: the random draws they share (weighted choices, UUID 7 ids, times of day);
- :mod:`.accounts`: the demo accounts and the stable user ids shared with the hub.
"""

from bhcp_ag.domain.demo.accounts import (
    DEMO_GP,
    DEMO_SPECIALIST,
    DEMO_SPECIALIST_CODES,
    USER_NAMESPACE,
    user_id,
)
from bhcp_ag.domain.demo.plan import (
    DemoPlan,
    DemoSummary,
    plan_demo_year,
    plan_scheme_year,
    summarise,
)
from bhcp_ag.domain.demo.scheme_year import PUBLISHED_YEARS, SchemeYear, scheme_year
from bhcp_ag.domain.demo.wording import DemoWording, Scenario

__all__ = [
    "DEMO_GP",
    "DEMO_SPECIALIST",
    "DEMO_SPECIALIST_CODES",
    "PUBLISHED_YEARS",
    "USER_NAMESPACE",
    "DemoPlan",
    "DemoSummary",
    "DemoWording",
    "Scenario",
    "SchemeYear",
    "plan_demo_year",
    "plan_scheme_year",
    "scheme_year",
    "summarise",
    "user_id",
]
