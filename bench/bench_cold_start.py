"""Benchmark: cold start of the desktop app to a window showing 100,000 conversations.

The app is started as a person starts it (``python main.py --hub URL``, a new process,
the store already signed in: its token in a real Secret Service, gnome-keyring on a
private D-Bus) and timed from just before the process starts until the main window's
conversation list first paints rows (``_cold_start_child.py``), for the administrator,
who sees all 100,000 conversations of the store:

- hub up: a real hub (``bhcp-ag-hub serve``, SQLite) on loopback, the token still good;
- hub down: the same address with nothing listening (the desk works offline).

Baseline, in the same run: a new process that imports PySide6 and paints a plain
``QTableView`` of 100,000 rows from a ``QStandardItemModel``-free model (Qt's own start
and first paint). Each figure is the median of ``--runs`` starts (after one warm-up start,
so the files are in the page cache, as for a desk started before).

Run: ``python bench/bench_cold_start.py [--runs 5]`` (under ``dbus-run-session`` itself
when no session bus is there).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):  # a private bus for the keyring
    os.execvp("dbus-run-session", ["dbus-run-session", "--", sys.executable, *sys.argv])

import requests  # noqa: E402
from _common import ROOT, demo_store, report  # noqa: E402

CONVERSATIONS = 100_000
BASELINE = """
import sys, time, os
START = float(sys.argv[1])
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QApplication, QTableView
class Rows(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()): return 0 if parent.isValid() else 100_000
    def columnCount(self, parent=QModelIndex()): return 0 if parent.isValid() else 8
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return f"{index.row()}:{index.column()}" if role == Qt.ItemDataRole.DisplayRole else None
class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"painted {time.time() - START:.4f} 100000", flush=True); os._exit(0)
        return False
app = QApplication([])
view = QTableView(); view.setModel(Rows()); view.resize(1200, 700)
watch = Painted(); view.viewport().installEventFilter(watch); view.show(); app.exec()
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _keyring(home: Path) -> subprocess.Popen[bytes]:
    """gnome-keyring's Secret Service on this process's session bus, unlocked."""
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    env["XDG_RUNTIME_DIR"] = str(home / "run")
    for name in ("data", "run"):
        (home / name).mkdir(mode=0o700, parents=True)
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert daemon.stdin is not None
    daemon.stdin.write(b"\n")  # the (empty) password of the new login keyring
    daemon.stdin.close()
    import keyring

    deadline = time.monotonic() + 15
    while True:  # a condition poll: the bus offers no "name appeared" wait here
        keyring.core.init_backend()
        if "SecretService" in type(keyring.get_keyring()).__module__:
            return daemon
        if time.monotonic() > deadline:
            raise SystemExit("gnome-keyring-daemon did not come up on the session bus")
        time.sleep(0.1)


def _hub(work: Path, port: int) -> subprocess.Popen[bytes]:
    """A real hub with the demo accounts (no conversations), on loopback."""
    from bhcp_ag.domain.organisation import Organisation
    from bhcp_ag.domain.specialties import SpecialtyCatalogue
    from bhcp_ag.hub.db import HubDatabase
    from bhcp_ag.hub.demo import seed_demo
    from bhcp_ag.hub.security import Passwords

    url = f"sqlite:///{work / 'hub.sqlite3'}"
    if not (work / "hub.sqlite3").exists():
        database = HubDatabase.open(url)
        with database.transaction() as session:
            seed_demo(session, Passwords(), Organisation.load(), SpecialtyCatalogue.load())
        database.close()
    command = [sys.executable, "-m", "bhcp_ag.hub_cli", "serve", "--database", url]
    hub = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).ok:
                return hub
        except requests.ConnectionError:
            time.sleep(0.1)
    hub.terminate()
    raise SystemExit("the hub did not start")


def _sign_in_once(data: Path, hub_url: str) -> None:
    """What a person's first start does: sign in (the token goes to the keyring) and sync."""
    from bhcp_ag.app import open_store_with_reference
    from bhcp_ag.domain.demo.accounts import DEMO_ADMIN, DEMO_PASSWORD
    from bhcp_ag.paths import default_store_path
    from bhcp_ag.sync.client import HubClient
    from bhcp_ag.sync.credentials import TokenStore
    from bhcp_ag.sync.engine import SyncEngine

    os.environ["BHCP_AG_DATA_DIR"] = str(data)
    store_path = default_store_path()
    store_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_store(CONVERSATIONS), store_path)
    store = open_store_with_reference(store_path)
    tokens = TokenStore(hub_url)  # as the app's HubConnection.open makes them
    engine = SyncEngine(store, HubClient(hub_url, credentials=tokens), tokens)
    engine.sign_in(DEMO_ADMIN, DEMO_PASSWORD)
    engine.sync_once()
    engine.stop()
    store.close()


def _start(arguments: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(seconds from process start to the first painted rows, rows in the list)."""
    started = time.time()
    command = [sys.executable, *arguments[:1], f"{started:.6f}", *arguments[1:]]
    try:
        out = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=60, check=False
        )
    except subprocess.TimeoutExpired as stuck:
        raise SystemExit(f"the app did not paint its list in 60 s:\n{stuck.stderr!r}") from None
    for line in out.stdout.splitlines():
        if line.startswith("painted "):
            _, seconds, rows = line.split()
            return float(seconds), int(rows)
    raise SystemExit(f"the app did not paint its list:\n{out.stdout}\n{out.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bhcp-bench-start-"))
    daemon = _keyring(work / "home")
    port = _free_port()
    hub = _hub(work, port)
    try:
        hub_url = f"http://127.0.0.1:{port}"
        _sign_in_once(work / "data", hub_url)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
        env["BHCP_AG_DATA_DIR"] = str(work / "data")
        child = [str(HERE / "_cold_start_child.py")]
        baseline_script = work / "baseline.py"
        baseline_script.write_text(BASELINE)

        def median(arguments: list[str]) -> tuple[float, int]:
            _start(arguments, env)  # warm-up: the files in the page cache
            runs = [_start(arguments, env) for _ in range(args.runs)]
            return statistics.median(s for s, _ in runs), runs[0][1]

        baseline, _ = median([str(baseline_script)])
        up, rows = median([*child, "--hub", hub_url])
        hub.terminate()
        hub.wait(timeout=30)
        down, rows_down = median([*child, "--hub", hub_url])
    finally:
        if hub.poll() is None:
            hub.terminate()
        daemon.terminate()
        shutil.rmtree(work, ignore_errors=True)
    what = "cold start to a window showing {:,} conversations, hub {}"
    qt = "a new process painting a plain QTableView of 100,000 rows"
    report(what.format(rows, "up"), up, qt, baseline)
    report(what.format(rows_down, "down"), down, qt, baseline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
