"""The hub's identity: an id a desk binds its store to, and demo or live.

A live hub refuses synthetic NHS numbers (the 999 range, never issued) in every request,
and is never turned into a demo hub once it holds conversations; a demo hub takes them.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import text

from bhcp_ag.hub.db import HubDatabase, create_hub_engine, migrate, run_alembic
from bhcp_ag.hub.demo import seed_demo
from bhcp_ag.hub.demo_users import DEMO_GP
from bhcp_ag.hub.identity import NotADemoHub, hub_identity, is_demo_hub
from bhcp_ag.hub.security import Passwords
from bhcp_ag.hub_cli import main as hub_cli
from tests.integration.conftest import CLIENT_HEADERS, TEST_ARGON2

# Valid check digits, from each end of the synthetic range and the middle.
SYNTHETIC = ("999 000 0018", "999 999 9018", "943 476 5919", "900 000 0009")
REAL = ("401 000 2018",)


def _make_live(hub_db: HubDatabase) -> None:
    with hub_db.transaction() as session:
        session.execute(text("UPDATE hub_identity SET kind = 'live'"))


def _health(base_url: str) -> dict[str, Any]:
    response = requests.get(f"{base_url}/api/v1/health", headers=CLIENT_HEADERS, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_live_hub_refuses_every_synthetic_nhs_number(
    sync: Any, hub_db: HubDatabase, hub_server: str
) -> None:
    _make_live(hub_db)
    assert _health(hub_server)["demo"] is False
    results = sync.push(DEMO_GP, *(sync.request(patient_nhs_number=n) for n in SYNTHETIC + REAL))
    for result in results[: len(SYNTHETIC)]:
        assert (result["status"], result["code"]) == ("rejected", "synthetic_patient"), result
        assert "synthetic (test patient) range" in result["reason"]
        assert "real patients' records only" in result["reason"]
    assert [r["status"] for r in results[len(SYNTHETIC) :]] == ["applied"] * len(REAL)


def test_a_demo_hub_takes_synthetic_patients_and_says_so(sync: Any, hub_server: str) -> None:
    health = _health(hub_server)
    assert health["demo"] is True and uuid.UUID(health["hub_id"])
    results = sync.push(DEMO_GP, *(sync.request(patient_nhs_number=n) for n in SYNTHETIC))
    assert [r["status"] for r in results] == ["applied"] * len(SYNTHETIC)


def test_every_hub_has_an_id_of_its_own(hub_db: HubDatabase, hub_server: str) -> None:
    with hub_db.transaction() as session:
        stored = hub_identity(session).id
    assert _health(hub_server)["hub_id"] == stored
    assert _health(hub_server)["hub_id"] == stored  # the same at every asking


@pytest.fixture(params=["sqlite", "postgres"])
def new_hub_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new-hub.sqlite3'}"
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"hub_new_{uuid.uuid4().hex[:12]}"
    cluster.admin_sql(f"CREATE DATABASE {name}")
    return str(cluster.url(name))


def test_a_new_hub_is_live_until_demo_data_is_seeded(new_hub_url: str) -> None:
    database = HubDatabase.open(new_hub_url)
    try:
        with database.transaction() as session:
            first = hub_identity(session).id
            assert not is_demo_hub(session)
        with database.transaction() as session:
            seed_demo(session, Passwords(TEST_ARGON2))
        with database.transaction() as session:
            assert is_demo_hub(session) and hub_identity(session).id == first
    finally:
        database.close()


def test_a_live_hub_with_conversations_is_never_made_a_demo_hub(
    hub_db: HubDatabase, sync: Any, hub_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [applied] = sync.push(DEMO_GP, sync.request(patient_nhs_number=REAL[0]))
    assert applied["status"] == "applied"
    _make_live(hub_db)
    with pytest.raises(NotADemoHub), hub_db.transaction() as session:
        seed_demo(session, Passwords(TEST_ARGON2))
    assert hub_cli(["demo", "--database", hub_database_url, "--conversations", "0"]) == 1
    assert "live hub and holds patients' records" in capsys.readouterr().err
    with hub_db.transaction() as session:
        assert not is_demo_hub(session)


def test_migrating_an_older_hub_keeps_a_demo_hub_demo(new_hub_url: str) -> None:
    engine = create_hub_engine(new_hub_url)
    try:
        run_alembic(engine, "upgrade", "0005")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, username, display_name, role, password_hash, "
                    "active, created_at, password_changed_at) VALUES ('a', 'demo.admin', "
                    "'Demo', 'admin', 'x', true, '2026-01-01', '2026-01-01')"
                )
            )
        migrate(engine)
        with engine.connect() as connection:
            kinds = connection.execute(text("SELECT kind FROM hub_identity")).scalars().all()
        assert kinds == ["demo"]
    finally:
        engine.dispose()
