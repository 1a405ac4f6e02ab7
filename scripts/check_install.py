"""Checks an environment that holds the app and only its own dependencies (``make install``).

Run with that environment's Python (`.ci/run` does, on a new one each time). It fails,
saying what is wrong, unless:

- the environment sees nothing of the machine's own Python (no outside site-packages);
- no test-only package is installed (so the test extras cannot hide a missing runtime
  dependency);
- every module of ``bhcp_ag`` imports;
- ``bhcp-ag --help`` runs, and ``bhcp-ag-hub serve`` migrates a new embedded database
  and answers its health check over HTTP on loopback.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import requests

import bhcp_ag

# Packages of the test extra that nothing at run time pulls in; finding one here means
# this is not an environment of the app alone.
TEST_ONLY = ("pytest", "pytestqt", "hypothesis", "deptry", "importlinter", "ruff", "mypy")
SERVE_DEADLINE_S = 60.0


def fail(message: str) -> None:
    print(f"check_install: {message}", file=sys.stderr)
    raise SystemExit(1)


def check_isolated() -> None:
    if sys.prefix == sys.base_prefix:
        fail(f"{sys.executable} is not in a virtual environment")
    own = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
    outside = [
        entry
        for entry in sys.path
        if ("site-packages" in entry or "dist-packages" in entry)
        and Path(entry).resolve() not in own
    ]
    if outside:
        fail(f"the environment sees packages from outside it: {outside}")


def check_runtime_only() -> None:
    found = [name for name in TEST_ONLY if importlib.util.find_spec(name) is not None]
    if found:
        fail(f"test-only packages are installed here: {', '.join(found)}")


def import_every_module() -> int:
    count = 0
    for module in pkgutil.walk_packages(bhcp_ag.__path__, prefix="bhcp_ag."):
        try:
            importlib.import_module(module.name)
        except Exception as error:  # report which module, then stop
            fail(f"{module.name} does not import: {type(error).__name__}: {error}")
        count += 1
    return count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scripts_dir() -> Path:
    return Path(sysconfig.get_paths()["scripts"])


def check_commands() -> None:
    done = subprocess.run(
        [str(scripts_dir() / "bhcp-ag"), "--help"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or "bhcp-ag" not in done.stdout:
        fail(f"bhcp-ag --help failed ({done.returncode}): {done.stderr.strip()}")


def check_serve() -> float:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'hub.sqlite3'}"
        command = [str(scripts_dir() / "bhcp-ag-hub"), "serve", "--database", database]
        env = dict(os.environ, BHCP_AG_DATA_DIR=folder)
        started = time.monotonic()
        server = subprocess.Popen([*command, "--port", str(port)], env=env)
        try:
            while True:
                if server.poll() is not None:
                    fail(f"bhcp-ag-hub serve stopped with status {server.returncode}")
                try:
                    answer = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                except requests.ConnectionError:
                    answer = None
                if answer is not None:
                    if answer.status_code != 200:
                        fail(f"the hub's health check answered {answer.status_code}")
                    return time.monotonic() - started
                if time.monotonic() - started > SERVE_DEADLINE_S:
                    fail(f"bhcp-ag-hub serve did not answer within {SERVE_DEADLINE_S:.0f} s")
                time.sleep(0.2)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main() -> None:
    check_isolated()
    check_runtime_only()
    modules = import_every_module()
    check_commands()
    seconds = check_serve()
    print(
        f"check_install: {modules} modules of bhcp_ag import; bhcp-ag-hub serve answered "
        f"its health check {seconds:.1f} s after it started; no test-only package installed."
    )


if __name__ == "__main__":
    main()
