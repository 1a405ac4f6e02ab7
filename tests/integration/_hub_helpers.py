"""Holding the real hub's password checks, to see what it does while they run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from bhcp_ag.hub.security import Passwords


def hold_password_checks(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    """From now on the hub's password checks wait for the event; the list grows by one
    as each check begins. Set the event before the test ends."""
    release, began = threading.Event(), []
    original = Passwords.verify

    def held(self: Passwords, stored_hash: str | None, password: str) -> bool:
        began.append(password)
        release.wait(timeout=30)
        return original(self, stored_hash, password)

    monkeypatch.setattr(Passwords, "verify", held)
    return release, began


def wait_until(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)  # a condition poll: the hub has no event to wait on
