"""The sign-in token's home: the OS keyring, or this session's memory when there is none.

Tokens are kept with ``keyring`` under the service ``bhcp-ag:<hub url>`` and the
username, so one computer can hold tokens for several hubs and users.

- **Never blocks the caller for long.** A locked keyring can wait for a password prompt
  nobody answers, so every keyring call runs on a worker thread and the caller waits
  ``timeout`` seconds at most (:class:`KeyringLane`).
- **Never writes a token to a file.** When no usable keyring exists (``keyring``'s
  ``fail`` backend, a chainer with nothing viable, ``NoKeyringError``, ``KeyringLocked``,
  ``InitError``), or it does not answer in time, the token is kept in memory for this
  session only; :attr:`TokenStore.persistent` turns False and :attr:`TokenStore.message`
  says so in words for the UI.
- **Refuses plaintext backends.** ``keyrings.alt`` (and any backend with ``priority`` < 1)
  stores secrets as plain or base64 text in a file; such a backend is treated as no
  keyring at all.

The last username is not a secret: :func:`bhcp_ag.store.sync_state.last_username` keeps
it in the store's ``app_state`` (or the UI may keep it in ``QSettings``).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail
from keyring.errors import PasswordDeleteError

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_KEYRING_MESSAGE = "No keyring on this computer: you will be asked to sign in again next time."
KEYRING_SILENT_MESSAGE = (
    "The keyring did not answer in time (it may be locked): you will be asked to sign in "
    "again next time."
)
PLAINTEXT_MESSAGE = (
    "This computer's keyring keeps passwords as plain text, which bhcp-ag does not use: "
    "you will be asked to sign in again next time."
)
DEFAULT_TIMEOUT = 5.0


class KeyringLane(Executor):
    """A one-thread executor for keyring calls, on a daemon thread.

    ``ThreadPoolExecutor`` joins its workers when Python exits, so one keyring call hung
    on an unanswered prompt would stop the app from quitting; a daemon thread does not.
    Calls run one at a time, in order.
    """

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._work, name="bhcp-ag-keyring", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (item := self._calls.get()) is not None:
            future, call = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as error:  # handed to the waiting caller
                future.set_exception(error)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        self._calls.put((future, lambda: fn(*args, **kwargs)))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._calls.put(None)
        if wait:
            self._thread.join()


def is_plaintext(backend: KeyringBackend) -> bool:
    """True for ``keyrings.alt`` backends and any with a priority below 1."""
    if type(backend).__module__.startswith("keyrings.alt"):
        return True
    try:
        return float(backend.priority) < 1  # type: ignore[arg-type]
    except Exception:  # a backend that cannot say is not viable either
        return True


def usable_backend(backend: KeyringBackend) -> tuple[KeyringBackend | None, str | None]:
    """(the backend to use, or None with the message saying why there is none)."""
    if isinstance(backend, fail.Keyring):
        return None, NO_KEYRING_MESSAGE
    candidates = (
        list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    )
    for candidate in candidates:
        if not is_plaintext(candidate):
            return candidate, None
    plaintext = any(type(c).__module__.startswith("keyrings.alt") for c in candidates)
    return None, PLAINTEXT_MESSAGE if plaintext else NO_KEYRING_MESSAGE


class TokenStore:
    """Sign-in tokens for one hub, by username: in the keyring, or in memory as a fallback.

    ``backend`` defaults to ``keyring``'s choice for this computer, found on the keyring
    thread at first use. Each call waits at most ``timeout`` seconds.
    """

    def __init__(
        self,
        hub_url: str,
        *,
        backend: KeyringBackend | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        lane: Executor | None = None,
    ) -> None:
        self.service = f"bhcp-ag:{hub_url.rstrip('/')}"
        self.timeout = timeout
        self._backend = backend
        self._resolved = False
        self._lane = lane or KeyringLane()
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        self.persistent = True
        self.message: str | None = None

    def _fall_back(self, message: str) -> None:
        if self.persistent:
            log.warning("Keeping the sign-in token in memory only: %s", message)
        self.persistent = False
        self.message = message

    def _call(self, fn: Callable[[], T]) -> tuple[bool, T | None]:
        """(True, result) from the keyring thread, or (False, None) after falling back."""
        try:
            return True, self._lane.submit(fn).result(timeout=self.timeout)
        except FutureTimeout:
            self._fall_back(KEYRING_SILENT_MESSAGE)
        except Exception as error:  # NoKeyringError, KeyringLocked, InitError, D-Bus errors
            log.warning("The keyring refused: %s", type(error).__name__)
            self._fall_back(NO_KEYRING_MESSAGE)
        return False, None

    def _keyring(self) -> KeyringBackend | None:
        """The usable backend, or None once this session keeps tokens in memory."""
        if not self._resolved:
            self._resolved = True
            found = self._backend
            if found is None:
                ok, found = self._call(keyring.get_keyring)
                if not ok:
                    return None
            assert found is not None
            self._backend, message = usable_backend(found)
            if message:
                self._fall_back(message)
        return self._backend if self.persistent else None

    def save(self, username: str, token: str) -> None:
        """Keep ``token`` for ``username``: in the keyring, else for this session only."""
        with self._lock:
            self._memory[username] = token
            backend = self._keyring()
            if backend is not None:
                self._call(lambda: backend.set_password(self.service, username, token))

    def load(self, username: str) -> str | None:
        """The token kept for ``username``, or None."""
        with self._lock:
            if username in self._memory:
                return self._memory[username]
            backend = self._keyring()
            if backend is None:
                return None
            _ok, token = self._call(lambda: backend.get_password(self.service, username))
            if token is not None:
                self._memory[username] = token
            return token

    def forget(self, username: str) -> None:
        """Forget ``username``'s token everywhere it is kept."""
        with self._lock:
            self._memory.pop(username, None)
            backend = self._keyring()
            if backend is not None:
                self._call(lambda: _delete(backend, self.service, username))

    def close(self) -> None:
        self._lane.shutdown(wait=False)


def _delete(backend: KeyringBackend, service: str, username: str) -> None:
    with contextlib.suppress(PasswordDeleteError):  # nothing kept: already forgotten
        backend.delete_password(service, username)
