"""The hub's demo accounts and user ids agree with the desktop store's."""

from __future__ import annotations

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.hub import demo_users
from bhcp_ag.store import reference


def test_hub_and_store_derive_the_same_user_ids() -> None:
    assert demo_users.USER_NAMESPACE == reference.USER_NAMESPACE
    for name in ("demo.gp", "Demo.Specialist ", "amelia.hart", "x"):
        assert demo_users.user_id(name) == reference.user_id(name)


def test_hub_and_store_have_the_same_demo_people() -> None:
    organisation = Organisation.load()
    assert demo_users.demo_people(organisation) == reference.demo_users(organisation)


def test_the_demo_accounts_are_the_documented_ones() -> None:
    people = {p.username: p for p in demo_users.demo_people(Organisation.load())}
    assert set(people) == {"demo.gp", "demo.specialist", "demo.manager", "demo.admin"}
    assert people["demo.gp"].practice_code == people["demo.manager"].practice_code == "BAY001"
    assert people["demo.specialist"].specialty_codes == ("330", "410")
    assert demo_users.DEMO_PASSWORD == "demo-password-2026"
