"""The hub answers as its OpenAPI document says: schemathesis against the real hub.

schemathesis (its command line, in a subprocess) reads ``/openapi.json`` from the hub on
loopback and sends generated requests to every operation, valid and invalid ones, as
each role with a valid token, with every check it has (``--checks all``): no server
error, every status, content type, header and body as documented, valid data accepted
and invalid data refused, 405 with ``Allow`` for a method a path does not take. Each
role runs once, two on the embedded SQLite hub and two on PostgreSQL (about a minute in
all).

Two answers depend on more than a schema can say, and are allowed as such: an upload
whose bytes do not have the SHA-256 of its address, or are not a JPEG, PNG or PDF
(400, 415), an account the rules refuse (a GP without a practice: 422), and a password
too weak or common for zxcvbn (422, on reset and on change). Signing out is left out,
since it would end the token the run uses.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bhcp_ag.hub.demo_users import DEMO_ADMIN, DEMO_GP, DEMO_MANAGER, DEMO_SPECIALIST
from tests.integration.conftest import CLIENT_HEADERS, HubClient

EXAMPLES_PER_OPERATION = 8
CONFIG = """
[[operations]]
include-name = "PUT /api/v1/attachments/{sha256}"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "400", "401", "403", "404", "413", "415"
]

[[operations]]
include-name = "POST /api/v1/users"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "409", "422"]

[[operations]]
include-name = "PUT /api/v1/users/{user_id}/password"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

[[operations]]
include-name = "POST /api/v1/me/password"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "409", "422", "429"]
"""
_TALLY = re.compile(r"(\d+) generated, (.*)")


def _schemathesis(hub: HubClient, token: str, config: Path, seed: int) -> tuple[int, str]:
    headers = {**CLIENT_HEADERS, "Authorization": f"Bearer {token}"}
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run"]
    command += [f"{hub.base_url}/openapi.json", "--checks", "all", "--workers", "1"]
    command += ["--max-examples", str(EXAMPLES_PER_OPERATION), "--seed", str(seed)]
    command += ["--exclude-name", "DELETE /api/v1/session", "--request-timeout", "20"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, cwd=config.parent
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("hub_database_url", "username", "seed"),
    [
        ("sqlite", DEMO_GP, 1),
        ("postgres", DEMO_SPECIALIST, 2),
        ("sqlite", DEMO_MANAGER, 3),
        ("postgres", DEMO_ADMIN, 4),
    ],
    indirect=["hub_database_url"],
)
def test_the_hub_answers_as_its_openapi_document_says(
    hub: HubClient, tmp_path: Path, username: str, seed: int
) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    returncode, output = _schemathesis(hub, hub.token(username), config, seed)
    tally = _TALLY.search(output)
    assert returncode == 0 and tally is not None, output[-6000:]
    assert int(tally.group(1)) >= 100, output[-2000:]  # it really tested
    assert "passed" in tally.group(2) and "fail" not in tally.group(2), tally.group(0)
    print(f"schemathesis as {username}: {tally.group(0)}")  # the figures, with -s
    # The run's own sign-in survived it, so every answer above was to a signed-in role.
    assert hub.request("GET", "/api/v1/me", token=hub.token(username)).status_code == 200
