"""Benchmark: sync between the desktop client and the hub, over HTTP on loopback.

Figures, each beside a baseline measured in the same run:
- first sync of N conversations (default 50,000, about 4 messages each) into an empty
  store, signed in as the demo administrator (who sees them all); baseline: a plain
  bulk insert of the same rows into an empty store of the same schema with SQLite's
  ``executemany`` in one transaction;
- an idle sync (nothing changed) round trip; baseline: one ``GET /api/v1/health``;
- hub throughput of idle pulls from 4 clients at once for 5 s; baseline: the same for
  the health check.

The hub is the real one (embedded SQLite), served by uvicorn in this process, so both
ends share the machine's 2 cores: the figures include that contention.

Run: ``python bench/bench_sync.py [--conversations N]``.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from _common import CACHE, DEMO_END, median_seconds, report
from keyring.backends import fail

from bhcp_ag.app import open_store_with_reference
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.embedded_hub import HUB_FILE, EmbeddedHub
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.db import head_revision as hub_head
from bhcp_ag.hub.demo import load_demo_conversations, seed_demo
from bhcp_ag.hub.security import Passwords
from bhcp_ag.store.db import Store
from bhcp_ag.store.sync_state import cursor_key, read_state
from bhcp_ag.sync.client import HubClient
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.engine import SyncEngine

DEMO_PASSWORD = "demo-password-2026"
CLIENTS = 4
SECONDS = 5.0


def hub_database(conversations: int) -> Path:
    """A hub database with ``conversations`` demo conversations, made once and cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"hub-{conversations}-{hub_head()}.sqlite3"
    if not path.exists():
        print(f"(making a hub of {conversations:,} demo conversations: {path.name})")
        partial = CACHE / "hub-partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        database = HubDatabase.open(f"sqlite:///{partial / HUB_FILE}")
        with database.transaction() as session:
            seed_demo(session, Passwords(), Organisation.load(), SpecialtyCatalogue.load())
        with database.transaction() as session:
            load_demo_conversations(session, conversations=conversations, end=DEMO_END)
        database.close()  # the last connection to close folds the WAL into the file
        (partial / HUB_FILE).rename(path)
        shutil.rmtree(partial)
    return path


def signed_in_engine(store: Store, url: str) -> SyncEngine:
    client = HubClient(url)
    engine = SyncEngine(store, client, TokenStore(url, backend=fail.Keyring()))
    engine.sign_in("demo.admin", DEMO_PASSWORD)
    return engine


def bulk_insert_baseline(synced: Path, workdir: Path) -> tuple[float, int]:
    """Insert the synced rows into an empty store with executemany; (seconds, rows)."""
    empty = open_store_with_reference(workdir / "baseline.sqlite3")
    empty.close()
    source = sqlite3.connect(synced)
    tables = ("users", "conversations", "messages", "attachments")
    rows = {t: source.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    source.close()
    target = sqlite3.connect(workdir / "baseline.sqlite3")
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=FULL")
    target.execute("DELETE FROM users")
    started = time.perf_counter()
    with target:
        for table in tables:
            if rows[table]:
                marks = ",".join("?" * len(rows[table][0]))
                target.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
    seconds = time.perf_counter() - started
    target.close()
    return seconds, sum(len(r) for r in rows.values())


def throughput(call: Callable[[HubClient], object], url: str) -> float:
    """Calls per second from CLIENTS threads, each with its own HubClient, for SECONDS."""
    counts = [0] * CLIENTS
    clients = [HubClient(url) for _ in range(CLIENTS)]
    for client in clients:  # one after another: the sign-in throttle counts an attempt
        client.sign_in("demo.admin", DEMO_PASSWORD)  # as failed until its password checks
    deadline = time.perf_counter() + SECONDS

    def work(slot: int) -> None:
        client = clients[slot]
        while time.perf_counter() < deadline:
            call(client)
            counts[slot] += 1
        client.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / SECONDS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50_000)
    args = parser.parse_args()
    cached = hub_database(args.conversations)
    workdir = Path(tempfile.mkdtemp(prefix="bhcp-bench-"))
    shutil.copyfile(cached, workdir / HUB_FILE)
    hub = EmbeddedHub.start(workdir)
    try:
        store = open_store_with_reference(workdir / "client.sqlite3")
        engine = signed_in_engine(store, hub.url)
        started = time.perf_counter()
        first = engine.sync_once()
        first_seconds = time.perf_counter() - started
        baseline, rows = bulk_insert_baseline(workdir / "client.sqlite3", workdir)
        report(
            f"first sync of {first.pulled:,} conversations ({rows:,} rows)",
            first_seconds,
            "bulk insert of the same rows",
            baseline,
        )
        idle = median_seconds(engine.sync_once, repeat=10)
        health = median_seconds(engine.client.health, repeat=10)
        report("idle sync round trip", idle, "GET /health", health)
        with store.read_session() as session:
            user = engine.client.me()
            cursor = read_state(session, cursor_key(hub.url, user.id))
        pulls = throughput(lambda c: c.pull(cursor, 500), hub.url)
        checks = throughput(lambda c: c.health(), hub.url)
        print(
            f"hub idle pulls: {pulls:.0f}/s | baseline, health checks: {checks:.0f}/s | "
            f"ratio {checks / pulls if pulls else float('inf'):.2f} (time per pull / per check)"
        )
        engine.stop()
        store.close()
    finally:
        hub.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
