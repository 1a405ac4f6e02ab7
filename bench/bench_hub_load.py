"""Benchmark: the hub under load from many desks' idle sync checks, on PostgreSQL.

The figure is what a national hub spends most of its time on: desks at the end of their
feed asking "anything new?" every 30 seconds. The real hub runs as its own process
(``bhcp-ag-hub serve --workers N``) over a throwaway PostgreSQL cluster; ``wrk`` (Debian's
package) is the load: ``--users`` GPs (spread over the Bay's practices, each signed in
once), each pull carrying one of their tokens and their cursor at the end of the feed,
round robin. Baseline, in the same run against the same hub: ``GET /api/v1/health``,
which reads one row of the database in a transaction of its own.

Printed: pulls per second and their 99th centile latency, each beside the health
check's, median of ``--runs`` runs of ``--seconds`` each. The machine's cores are shared
by the hub, PostgreSQL and wrk, so the figures include that contention.

Run: ``python bench/bench_hub_load.py [--users 150] [--workers 2] [--seconds 10]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from _common import ROOT, report_amount
from _postgres_bench import running_cluster
from argon2 import Parameters, Type

from bhcp_ag import __version__
from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.organisation import User as Person
from bhcp_ag.hub.accounts import NewPassword, create_user
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo import load_demo_conversations, seed_demo
from bhcp_ag.hub.security import Passwords

PASSWORD = "load-test-password-2026"
CHEAP = Parameters(  # sign-in is not what is measured
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=1024, parallelism=1
)
HEADERS = {"X-BHCP-Client-Version": __version__, "X-BHCP-Schema": "1"}
CONNECTIONS = 64
LUA = """
local desks = {%s}
local n = 0
request = function()
  n = n %% #desks + 1
  local desk = desks[n]
  return wrk.format("GET", "/api/v1/sync/pull?limit=500&cursor=" .. desk[2], {
    ["Authorization"] = "Bearer " .. desk[1],
    ["X-BHCP-Client-Version"] = "%s",
    ["X-BHCP-Schema"] = "1",
  })
end
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed(url: str, users: int) -> list[str]:
    """Demo data (2,000 conversations, so every feed has entries) and ``users`` GPs."""
    database = HubDatabase.open(url)
    practices = [p.code for p in Organisation.load().practices]
    names = [f"load.gp{i:04d}" for i in range(users)]
    try:
        with database.transaction() as session:
            seed_demo(session, Passwords(CHEAP))
            load_demo_conversations(session, conversations=2000, passwords=Passwords(CHEAP))
            password = NewPassword.of(Passwords(CHEAP), PASSWORD)
            for i, name in enumerate(names):
                practice = practices[i % len(practices)]
                create_user(session, Person(name, f"Dr Load {i}", Role.GP, practice), password)
    finally:
        database.close()
    return names


def _desks(base: str, names: list[str]) -> list[tuple[str, str]]:
    """(token, cursor at the end of the feed) of each user, signed in and pulled up to date."""
    desks = []
    with requests.Session() as http:
        for name in names:
            answer = http.post(
                f"{base}/api/v1/session",
                json={"username": name, "password": PASSWORD},
                headers=HEADERS,
                timeout=30,
            )
            answer.raise_for_status()
            token, cursor, more = answer.json()["token"], "", True
            auth = {**HEADERS, "Authorization": f"Bearer {token}"}
            while more:
                page = http.get(
                    f"{base}/api/v1/sync/pull",
                    params={"limit": 2000, "cursor": cursor},
                    headers=auth,
                    timeout=30,
                ).json()
                cursor, more = page["next_cursor"], page["more"]
            desks.append((token, cursor))
    return desks


_RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")
_P99 = re.compile(r"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", re.MULTILINE)
_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(url: str, seconds: float, script: Path | None) -> tuple[float, float]:
    """(requests per second, 99th centile in ms) of one wrk run; fails on any error."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = _ERRORS.search(out)
    if errors:
        raise SystemExit(f"{errors.group(1)} requests failed under load:\n{out}")
    rate, p99 = _RATE.search(out), _P99.search(out)
    if rate is None or p99 is None:
        raise SystemExit(f"wrk printed no figures:\n{out}")
    return float(rate.group(1)), float(p99.group(1)) * _SCALE[p99.group(2)]


def _serve(url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bhcp_ag.hub_cli", "serve", "--database", url]
    command += ["--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        hub = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise SystemExit(f"The hub exited:\n{log.read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                return hub
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    hub.terminate()
    raise SystemExit(f"The hub did not answer within 60 s:\n{log.read_text()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: scripts/system-packages.sh test installs it.")
    work = Path(tempfile.mkdtemp(prefix="bhcp-bench-load-"))
    work.chmod(0o711)  # the cluster runs as the postgres user when this runs as root
    try:
        with running_cluster(work / "pg") as cluster:
            cluster.sql("CREATE DATABASE hub")
            url = cluster.url("hub")
            names = _seed(url, args.users)
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            hub = _serve(url, port, args.workers, work / "hub.log")
            try:
                desks = _desks(base, names)
                script = work / "pulls.lua"
                rows = ", ".join(
                    json.dumps([t, c]).replace("[", "{").replace("]", "}") for t, c in desks
                )
                script.write_text(LUA % (rows, __version__))
                _wrk(f"{base}/api/v1/health", 2, None)  # warm-up of both
                _wrk(base, 2, script)
                pulls = [_wrk(base, args.seconds, script) for _ in range(args.runs)]
                health = [
                    _wrk(f"{base}/api/v1/health", args.seconds, None) for _ in range(args.runs)
                ]
            finally:
                hub.terminate()
                hub.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    what = f"{args.users} desks at the end of their feed, {args.workers} workers"
    rate = statistics.median(r for r, _ in pulls)
    health_rate = statistics.median(r for r, _ in health)
    report_amount(f"hub idle pulls, PostgreSQL, {what}", rate, "GET /health", health_rate, "/s")
    p99 = statistics.median(p for _, p in pulls)
    health_p99 = statistics.median(p for _, p in health)
    report_amount("idle pull p99", p99, "GET /health p99", health_p99, "ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
