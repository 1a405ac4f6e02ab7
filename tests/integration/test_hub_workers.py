"""``bhcp-ag-hub serve --workers N``: N hub processes on one port and one PostgreSQL,
behaving as one hub (a sign-in made by one works on every other; a change pushed through
one is pulled through another; the sign-in throttle counts across them all)."""

from __future__ import annotations

import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bhcp_ag.hub.demo_users import DEMO_GP, DEMO_PASSWORD, DEMO_SPECIALIST
from tests.integration.conftest import CLIENT_HEADERS as HEADERS
from tests.integration.conftest import Sync
from tests.integration.test_process_kills import HubProcess, wait_until

WORKERS = 2


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc: Linux, as CI)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.fixture
def workers_hub(postgres_url: str, tmp_path: Path) -> Iterator[HubProcess]:
    hub = HubProcess(postgres_url, tmp_path / "hub.log", workers=WORKERS)
    try:
        hub.start()
        yield hub
    finally:
        process = hub.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)  # uvicorn stops its workers, then itself
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                hub.kill()


def _call(hub: HubProcess, method: str, path: str, token: str = "", **kw) -> requests.Response:  # type: ignore[no-untyped-def]
    """One request on a connection of its own, so the kernel may hand it to any worker."""
    headers = {**HEADERS, **({"Authorization": f"Bearer {token}"} if token else {})}
    return requests.request(method, f"{hub.url}/api/v1{path}", headers=headers, timeout=10, **kw)


def _token(hub: HubProcess, username: str, password: str = DEMO_PASSWORD) -> requests.Response:
    return _call(hub, "POST", "/session", json={"username": username, "password": password})


def test_n_workers_serve_as_one_hub(workers_hub: HubProcess) -> None:
    hub = workers_hub
    assert hub.process is not None
    wait_until(lambda: len(_children(hub.process.pid)) >= WORKERS, f"{WORKERS} workers ran")

    signed_in = _token(hub, DEMO_GP)
    assert signed_in.status_code == 200, signed_in.text
    gp = signed_in.json()["token"]
    assert all(_call(hub, "GET", "/sync/pull", gp).status_code == 200 for _ in range(20))

    request = Sync.request(str(uuid.uuid4()))
    pushed = _call(hub, "POST", "/sync/push", gp, json={"changes": [request]})
    assert pushed.json()["results"][0]["status"] == "applied", pushed.text
    specialist = _token(hub, DEMO_SPECIALIST).json()["token"]
    seen = set()
    for _ in range(5):  # every worker's answer has the request, whichever one answers
        page = _call(hub, "GET", "/sync/pull", specialist, params={"limit": 2000}).json()
        seen.add(request["conversation_id"] in {c["id"] for c in page["conversations"]})
    assert seen == {True}


def test_the_sign_in_throttle_counts_across_workers(workers_hub: HubProcess) -> None:
    codes = [_token(workers_hub, DEMO_GP, "not-the-password").status_code for _ in range(6)]
    assert codes[:3] == [401, 401, 401] and codes[-1] == 429, codes
