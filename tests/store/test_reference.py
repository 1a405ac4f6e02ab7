"""The reference data: practices, specialties and demo users, seeded idempotently."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select

from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import Practice, Specialty, User
from bhcp_ag.store.reference import (
    DEMO_ADMIN,
    DEMO_GP,
    DEMO_MANAGER,
    DEMO_SPECIALIST,
    USER_NAMESPACE,
    seed_reference_data,
    user_by_username,
    user_id,
)


def _count(store: Store, model: type) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _users(store: Store) -> dict[str, tuple[str, str, str | None, str]]:
    with store.session() as session:
        return {
            u.username: (u.id, u.role, u.practice_code, u.specialty_codes)
            for u in session.scalars(select(User))
        }


def test_seeds_the_47_practices_24_specialties_and_4_demo_users(seeded_store: Store) -> None:
    assert _count(seeded_store, Practice) == 47
    assert _count(seeded_store, Specialty) == 24
    assert set(_users(seeded_store)) == {DEMO_GP, DEMO_SPECIALIST, DEMO_MANAGER, DEMO_ADMIN}


def test_demo_users_have_their_roles_practices_and_specialties(
    seeded_store: Store, organisation: Organisation
) -> None:
    users = _users(seeded_store)
    first_practice = organisation.practices[0].code
    assert users[DEMO_GP][1:] == ("gp", first_practice, "")
    assert users[DEMO_MANAGER][1:] == ("practice_manager", first_practice, "")
    assert users[DEMO_SPECIALIST][1:] == ("specialist", None, "330,410")
    assert users[DEMO_ADMIN][1:] == ("admin", None, "")


def test_user_ids_are_uuid5_of_the_username_and_the_same_in_every_store(
    seeded_store: Store,
    make_store: Callable[[Path], Store],
    tmp_path: Path,
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
) -> None:
    other = make_store(tmp_path / "other.sqlite3")
    with other.session() as session:
        seed_reference_data(session, organisation, catalogue)
    assert _users(other) == _users(seeded_store)
    other.close()
    for username, (id_, *_rest) in _users(seeded_store).items():
        assert id_ == user_id(username) == str(uuid.uuid5(USER_NAMESPACE, username))
        assert uuid.UUID(id_).version == 5


def test_practices_carry_their_icc_and_network_names(seeded_store: Store) -> None:
    with seeded_store.session() as session:
        millom = session.get(Practice, "BAY001")
        assert millom is not None
        assert (millom.icc, millom.network) == ("Millom", "Furness Peninsula")
        assert (session.scalar(select(func.sum(Practice.list_size))) or 0) > 300_000
        networks = set(session.scalars(select(Practice.network).distinct()))
        iccs = set(session.scalars(select(Practice.icc).distinct()))
    assert networks == {"Furness Peninsula", "South Lakeland", "Lancaster & Morecambe"}
    assert len(iccs) == 12


def test_seeding_again_changes_nothing_and_restores_edited_rows(
    seeded_store: Store, organisation: Organisation, catalogue: SpecialtyCatalogue
) -> None:
    with seeded_store.session() as session:
        practice = session.get(Practice, "BAY001")
        assert practice is not None
        practice.name = "Renamed by hand"
    with seeded_store.session() as session:
        seed_reference_data(session, organisation, catalogue)
        seed_reference_data(session, organisation, catalogue)
    assert _count(seeded_store, Practice) == 47
    assert _count(seeded_store, Specialty) == 24
    assert _count(seeded_store, User) == 4
    with seeded_store.session() as session:
        practice = session.get(Practice, "BAY001")
        assert practice is not None and practice.name == organisation.practices[0].name


def test_looks_users_up_by_username_ignoring_case(seeded_store: Store) -> None:
    with seeded_store.session() as session:
        gp = user_by_username(session, "  Demo.GP ")
        assert gp is not None
        assert (gp.id, gp.display_name) == (user_id(DEMO_GP), "Dr Amelia Hart")
        assert user_by_username(session, "nobody") is None


def test_specialty_names_come_from_the_catalogue(
    seeded_store: Store, catalogue: SpecialtyCatalogue
) -> None:
    with seeded_store.session() as session:
        dermatology = session.get(Specialty, "330")
    assert dermatology is not None
    assert (dermatology.name, dermatology.short_name) == (
        catalogue.get("330").name,
        catalogue.get("330").short_name,
    )


def test_reference_data_is_seeded_again_only_when_it_changed(tmp_path: Path) -> None:
    """The desk's start skips the 80 merges when the store holds this reference data
    already, and seeds again when a specialty (say) is renamed in a new release."""
    from dataclasses import replace

    from sqlalchemy import event

    from bhcp_ag.app import open_store_with_reference

    path = tmp_path / "store.sqlite3"
    catalogue = SpecialtyCatalogue.load()
    open_store_with_reference(path, catalogue).close()
    statements: list[str] = []

    def statement(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    event.listen(Engine, "before_cursor_execute", statement)
    try:
        open_store_with_reference(path, catalogue).close()
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
    assert not [sql for sql in statements if "specialties" in sql or "practices" in sql]

    first, *rest = catalogue.all()
    renamed = SpecialtyCatalogue([replace(first, name="Renamed specialty"), *rest], tmp_path)
    store = open_store_with_reference(path, renamed)
    with store.read_session() as session:
        name = session.scalar(select(Specialty.name).where(Specialty.tfc_code == first.tfc_code))
    store.close()
    assert name == "Renamed specialty"
