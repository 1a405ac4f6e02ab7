"""The sign-in token in a real Secret Service: ``gnome-keyring-daemon`` on a private D-Bus.

Run under ``dbus-run-session`` (``make test`` does). The fixture starts the daemon with
its files in a temporary directory, unlocks it with an empty password on standard
input, and waits until ``org.freedesktop.secrets`` is on the session bus. Without a
session bus or gnome-keyring the tests are skipped, or fail when ``CI`` is set.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backends import SecretService

from bhcp_ag.paths import PROJECT_ROOT
from bhcp_ag.store.db import Store
from bhcp_ag.sync.credentials import TokenStore

SECRETS_NAME = "org.freedesktop.secrets"
HUB = "https://hub.bay.example"
TOKEN = "kr-" + secrets.token_hex(20)  # made at run time: not even this file holds it
MAX_SCANNED_BYTES = 20 * 1024 * 1024


def _unavailable(why: str) -> None:
    message = f"No Secret Service for the keyring tests: {why}."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _secrets_on_bus() -> bool:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    with open_dbus_connection(bus="SESSION") as connection:
        reply = connection.send_and_get_reply(
            new_method_call(bus, "NameHasOwner", "s", (SECRETS_NAME,))
        )
    return bool(reply.body[0])


def _wait_for_secrets(daemon: subprocess.Popen[bytes], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while not _secrets_on_bus():  # a condition poll: the bus has no "name appeared" wait here
        if daemon.poll() is not None or time.monotonic() > deadline:
            _unavailable("gnome-keyring-daemon did not come up on the session bus")
        pause.wait(0.05)


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A running, unlocked gnome-keyring on the session bus; yields its data directory."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        _unavailable("no D-Bus session bus (run under dbus-run-session)")
    daemon_path = shutil.which("gnome-keyring-daemon")
    if daemon_path is None:
        _unavailable("gnome-keyring-daemon is not installed")
    assert daemon_path is not None
    home = tmp_path_factory.mktemp("keyring-home")
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    for name in ("data", "run", "cache"):
        (home / name).mkdir(mode=0o700)
    daemon: subprocess.Popen[bytes] | None = None
    if not _secrets_on_bus():
        daemon = subprocess.Popen(
            [daemon_path, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert daemon.stdin is not None
        daemon.stdin.write(b"\n")  # the (empty) password of the new login keyring
        daemon.stdin.close()
        _wait_for_secrets(daemon)
    previous = keyring.get_keyring()
    keyring.core.init_backend()  # detect again, now that a Secret Service is there
    try:
        yield home
    finally:
        keyring.set_keyring(previous)
        if daemon is not None:
            daemon.terminate()
            daemon.wait(timeout=10)


def _files_holding(directory: Path, secret: bytes) -> list[Path]:
    found = []
    for path in directory.rglob("*"):
        try:
            small_file = path.is_file() and path.stat().st_size <= MAX_SCANNED_BYTES
            if small_file and secret in path.read_bytes():
                found.append(path)
        except OSError:
            continue  # sockets, vanished temporary files
    return found


def test_the_token_goes_to_the_secret_service_and_nowhere_on_disk(
    secret_service: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BHCP_AG_DATA_DIR", str(data_dir))
    store = Store.open(data_dir / "store.sqlite3")

    tokens = TokenStore(HUB)  # keyring's own choice for this computer
    tokens.save("demo.gp", TOKEN)
    assert tokens.persistent and tokens.message is None
    assert isinstance(tokens._backend, SecretService.Keyring)
    fresh = TokenStore(HUB)  # no memory of the first: the token comes from the keyring
    assert fresh.load("demo.gp") == TOKEN
    assert TokenStore(HUB + "/other").load("demo.gp") is None

    store.close()
    for directory in (PROJECT_ROOT, data_dir, tmp_path, secret_service):
        assert _files_holding(directory, TOKEN.encode()) == [], directory

    fresh.forget("demo.gp")
    assert TokenStore(HUB).load("demo.gp") is None
    for store_ in (tokens, fresh):
        store_.close()
