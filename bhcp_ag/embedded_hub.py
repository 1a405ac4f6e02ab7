"""The hub on this computer: the real hub application, served on loopback for the desktop.

When no hub is configured, the app runs its own: :meth:`EmbeddedHub.start` opens (and
migrates) the embedded SQLite database ``hub.sqlite3`` in the data directory, seeds the
Bay's practices and specialties and the demo accounts (idempotent) and, when the
database is new, a Bay year of demo conversations; then it serves
:func:`bhcp_ag.hub.app.create_app` with uvicorn on ``127.0.0.1`` from a background thread.
:meth:`EmbeddedHub.stop` shuts it down cleanly and waits for the thread.

Plain Python, no Qt: the composition root starts and stops it.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from argon2 import Parameters

from bhcp_ag.hub import demo
from bhcp_ag.hub.app import SERVER_OPTIONS, create_app
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_conversations import DemoConversationsRefused
from bhcp_ag.hub.security import Passwords
from bhcp_ag.hub.settings import HubSettings

log = logging.getLogger(__name__)

HUB_FILE = "hub.sqlite3"
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class EmbeddedHubFailed(RuntimeError):
    """The hub on this computer could not start; the message says why, in words."""


def _listen(port: int) -> socket.socket:
    """A loopback socket on ``port``, or on a free port when that one is taken (or 0).

    Made as TCP by name (``IPPROTO_TCP``, not 0): asyncio sets ``TCP_NODELAY`` only on
    connections whose socket says so, and without it every reply waited ~40 ms for the
    client's delayed ACK (Nagle's algorithm) where uvicorn runs on asyncio's own loop.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((LOOPBACK, port))
    except OSError as error:
        if port == 0 or error.errno != errno.EADDRINUSE:
            listener.close()
            raise
        log.info("Port %s is taken; the hub on this computer takes another", port)
        listener.bind((LOOPBACK, 0))
    return listener


def _load_demo_conversations(database: HubDatabase, passwords: Passwords) -> None:
    """A Bay year of demo conversations, so a new demo hub has something to show."""
    try:
        with database.transaction() as session:
            summary = demo.load_demo_conversations(session, passwords=passwords)
    except DemoConversationsRefused as refusal:  # it holds conversations already
        log.info("No demo conversations loaded: %s", refusal)
        return
    log.info("Loaded %s demo conversations into the hub on this computer", summary.conversations)


def prepare_database(path: Path, password_parameters: Parameters | None = None) -> HubDatabase:
    """The embedded hub database at ``path``: migrated and seeded with the demo data."""
    is_new = not path.exists()
    database = HubDatabase.open(f"sqlite:///{path}")
    passwords = Passwords(password_parameters)
    try:
        with database.transaction() as session:
            created = demo.seed_demo(session, passwords)
        if created:
            log.info("Demo accounts added to the hub on this computer: %s", ", ".join(created))
        if is_new:
            _load_demo_conversations(database, passwords)
    except BaseException:
        database.close()
        raise
    return database


def _server(settings: HubSettings, database: HubDatabase) -> uvicorn.Server:
    """uvicorn serving the hub over ``database``, quietly: the app's log gets warnings only."""
    config = uvicorn.Config(
        create_app(settings, database=database),
        log_level="warning",
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        **SERVER_OPTIONS,
    )
    return uvicorn.Server(config)


@dataclass
class EmbeddedHub:
    """A running hub on loopback; :attr:`url` is where clients find it."""

    url: str
    port: int
    database: HubDatabase
    _server: uvicorn.Server
    _thread: threading.Thread
    _listener: socket.socket

    @classmethod
    def start(
        cls,
        data_dir: Path,
        *,
        port: int = 0,
        password_parameters: Parameters | None = None,
    ) -> EmbeddedHub:
        """Start the hub over ``data_dir/hub.sqlite3`` on ``port`` (0 or taken: a free one).

        Keeping the same port from run to run keeps the hub's address, so the sign-in
        token kept in the keyring and the sync cursor (both keyed by address) still apply.
        """
        database = prepare_database(data_dir / HUB_FILE, password_parameters)
        try:
            listener = _listen(port)
        except OSError as error:
            database.close()
            raise EmbeddedHubFailed(f"The hub on this computer cannot listen: {error}") from None
        settings = HubSettings(
            database_url=f"sqlite:///{data_dir / HUB_FILE}",
            password_parameters=password_parameters,
        )
        server = _server(settings, database)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name="bhcp-ag-hub", daemon=True
        )
        bound = int(listener.getsockname()[1])
        hub = cls(f"http://{LOOPBACK}:{bound}", bound, database, server, thread, listener)
        thread.start()
        hub._wait_until_started()
        log.info("The hub on this computer is at %s", hub.url)
        return hub

    def _wait_until_started(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        pause = threading.Event()
        # A condition poll: uvicorn offers no event to wait on.
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                break
            pause.wait(0.01)
        if not self._server.started:
            self.stop()
            raise EmbeddedHubFailed("The hub on this computer did not start; see the log.")

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Ask uvicorn to finish (open requests complete), wait for it, close the database."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=STOP_TIMEOUT)
            if self._thread.is_alive():
                log.warning("The hub on this computer did not stop within %s s", STOP_TIMEOUT)
        self._listener.close()
        self.database.close()
