"""Shared pieces of the benchmarks: cached demo stores, timing, and the report line.

Every benchmark prints its figure beside a baseline measured in the same run, and the
ratio of the two, so a figure means something on any machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bhcp_ag.store.db import Store, head_revision  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
DEMO_END = date(2026, 11, 20)


def demo_store(conversations: int, seed: int = 2017) -> Path:
    """A store with ``conversations`` demo conversations, made once and reused."""
    from bhcp_ag.app import open_store_with_reference
    from bhcp_ag.store.demo import generate_demo_data

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"store-{conversations}-{seed}-{head_revision()}.sqlite3"
    if not path.exists():
        print(f"(making a store of {conversations:,} demo conversations: {path.name})")
        partial = path.with_suffix(".partial")
        for stale in CACHE.glob(partial.name + "*"):
            stale.unlink()
        store = open_store_with_reference(partial)
        generate_demo_data(store, conversations=conversations, seed=seed, end=DEMO_END)
        with store.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        partial.rename(path)
    return path


def open_store(path: Path) -> Store:
    return Store.open(path)


def median_seconds(action: Callable[[], object], repeat: int = 5) -> float:
    """The median wall time of ``repeat`` runs of ``action`` (after one warm-up run)."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report(figure: str, seconds: float, baseline: str, baseline_seconds: float) -> None:
    ratio = seconds / baseline_seconds if baseline_seconds else float("inf")
    print(
        f"{figure}: {seconds * 1000:.1f} ms | baseline, {baseline}: "
        f"{baseline_seconds * 1000:.1f} ms | ratio {ratio:.2f}"
    )
