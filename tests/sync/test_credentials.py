"""Token storage fallbacks: a silent keyring, no keyring, a plaintext keyring, a refusal.

The backends here are fakes, used only for error paths a real keyring cannot be made to
produce on demand (a hang waiting for a prompt, a locked keyring); the real Secret
Service is tested in ``tests/integration/test_keyring.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail
from keyring.errors import KeyringLocked

from bhcp_ag.sync.credentials import (
    KEYRING_SILENT_MESSAGE,
    NO_KEYRING_MESSAGE,
    PLAINTEXT_MESSAGE,
    TokenStore,
    is_plaintext,
    usable_backend,
)

HUB = "https://hub.bay.example"
TOKEN = "tok-3f1c0d6e2b8a4e57a9c1"


class MemoryBackend(KeyringBackend):
    """A well-behaved backend (priority 5), recording what it was asked to keep."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


class HangingBackend(MemoryBackend):
    """A keyring that waits for a prompt nobody answers (until the test releases it)."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.release = release

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait()
        return None


class LockedBackend(MemoryBackend):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")


class PlaintextFile(MemoryBackend):
    """Stands in for ``keyrings.alt.file.PlaintextKeyring`` (not installed, never to be)."""

    priority = 0.5  # type: ignore[assignment]


PlaintextFile.__module__ = "keyrings.alt.file"


def _out_of_discovery(*fakes: type[KeyringBackend]) -> None:
    """Every backend class registers itself for ``keyring``'s own choice of backend; a fake
    must never be chosen for real (``test_keyring.py`` asks keyring to choose)."""
    for fake in fakes:
        KeyringBackend._classes.discard(fake)  # type: ignore[attr-defined]


_out_of_discovery(MemoryBackend, HangingBackend, LockedBackend, PlaintextFile)


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # let the hung keyring thread finish


def _files_holding(directory: Path, secret: str) -> list[Path]:
    return [
        path
        for path in directory.rglob("*")
        if path.is_file() and secret.encode() in path.read_bytes()
    ]


def test_a_working_keyring_keeps_the_token_under_the_hub_and_username() -> None:
    backend = MemoryBackend()
    tokens = TokenStore(HUB, backend=backend, timeout=2)
    tokens.save("demo.gp", TOKEN)
    assert backend.kept == {(f"bhcp-ag:{HUB}", "demo.gp"): TOKEN}
    assert TokenStore(HUB, backend=backend).load("demo.gp") == TOKEN
    assert TokenStore(HUB + "/other", backend=backend).load("demo.gp") is None
    tokens.forget("demo.gp")
    assert backend.kept == {} and tokens.load("demo.gp") is None
    assert tokens.persistent and tokens.message is None


def test_a_keyring_that_hangs_times_out_and_the_token_stays_in_memory(
    release: threading.Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    tokens = TokenStore(HUB, backend=HangingBackend(release), timeout=0.2)
    tokens.save("demo.gp", TOKEN)  # returns after the timeout, not never
    assert not tokens.persistent
    assert tokens.message == KEYRING_SILENT_MESSAGE
    assert tokens.load("demo.gp") == TOKEN  # for this session
    assert _files_holding(tmp_path, TOKEN) == []


def test_after_a_timeout_the_keyring_is_not_asked_again(release: threading.Event) -> None:
    backend = HangingBackend(release)
    tokens = TokenStore(HUB, backend=backend, timeout=0.2)
    assert tokens.load("demo.gp") is None
    assert not tokens.persistent
    tokens.save("demo.gp", TOKEN)  # memory only: no second wait on the hung keyring
    assert tokens.load("demo.gp") == TOKEN


def test_no_keyring_backend_means_memory_only_with_the_message() -> None:
    tokens = TokenStore(HUB, backend=fail.Keyring(), timeout=2)
    tokens.save("demo.gp", TOKEN)
    assert tokens.load("demo.gp") == TOKEN
    assert (tokens.persistent, tokens.message) == (False, NO_KEYRING_MESSAGE)
    assert NO_KEYRING_MESSAGE == (
        "No keyring on this computer: you will be asked to sign in again next time."
    )


def test_a_locked_keyring_falls_back_to_memory() -> None:
    tokens = TokenStore(HUB, backend=LockedBackend(), timeout=2)
    tokens.save("demo.gp", TOKEN)
    assert tokens.load("demo.gp") == TOKEN
    assert (tokens.persistent, tokens.message) == (False, NO_KEYRING_MESSAGE)


def test_a_plaintext_backend_is_refused_and_never_given_the_token() -> None:
    plaintext = PlaintextFile()
    assert is_plaintext(plaintext)
    tokens = TokenStore(HUB, backend=plaintext, timeout=2)
    tokens.save("demo.gp", TOKEN)
    assert plaintext.kept == {}
    assert (tokens.persistent, tokens.message) == (False, PLAINTEXT_MESSAGE)


def test_a_low_priority_backend_counts_as_plaintext() -> None:
    class Weak(MemoryBackend):
        priority = 0.9  # type: ignore[assignment]

    _out_of_discovery(Weak)

    assert usable_backend(Weak()) == (None, NO_KEYRING_MESSAGE)


def test_a_chainer_uses_its_first_safe_backend_and_skips_plaintext(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    safe, plaintext = MemoryBackend(), PlaintextFile()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext, safe])
    assert usable_backend(chainer.ChainerBackend()) == (safe, None)
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    assert usable_backend(chainer.ChainerBackend()) == (None, NO_KEYRING_MESSAGE)
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext])
    assert usable_backend(chainer.ChainerBackend()) == (None, PLAINTEXT_MESSAGE)
