"""The sync engine: one cycle of ``docs/sync-protocol.md`` at a time, in plain Python.

:meth:`SyncEngine.sync_once` pushes the outbox, fetches again what waited behind it,
pulls until the hub has nothing more, and returns a :class:`SyncReport`. It never
touches Qt: a worker object on a ``QThread`` (the UI's job) calls it on a timer or on
demand and turns :attr:`on_status` calls into queued signals. It is safe to call from
one worker thread while the UI thread writes the store: each step opens its own
session, and cycles never overlap (a lock).

While a cycle runs, the status it publishes says how far it has got (changes sent of
those to send, conversations received), updated as each push batch settles and each
pull page is applied; a :class:`ProgressThrottle` lets at most a few of those updates a
second through, so a first sync of thousands of conversations cannot flood the UI.

Working offline is normal: an unreachable hub, a hub error or an expired sign-in end
the cycle with the changes still queued and a state that says why.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bhcp_ag.domain.conversation import Role
from bhcp_ag.domain.minimum import content_view
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import utcnow
from bhcp_ag.store.sync_state import (
    LAST_SYNCED_KEY,
    changes_waiting,
    cursor_key,
    fit_store,
    last_synced_at,
    last_username,
    remember_username,
    save_users,
    write_state,
)
from bhcp_ag.sync.client import MAX_PUSH_CHANGES, HubClient
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.errors import (
    HubProblem,
    HubRefusedVersion,
    HubUnreachable,
    OtherHub,
    SignedOut,
)
from bhcp_ag.sync.hub_binding import check_hub
from bhcp_ag.sync.pull import DEFAULT_PAGE_SIZE, pull_all, refetch_held_back
from bhcp_ag.sync.push import Backoff, push_pending
from bhcp_ag.sync.report import SyncReport, SyncState, SyncStatus, Tally
from bhcp_ag.sync.snapshots import user_row
from bhcp_ag.sync.wire import HubUser, SessionInfo

log = logging.getLogger(__name__)

StatusListener = Callable[[SyncStatus], None]

NOT_SIGNED_IN = "Sign in to the hub to sync."
STOPPED = "Sync was stopped before it finished; it goes on at the next sync."
UNEXPECTED = "Sync met an unexpected problem; your changes wait on this computer."
PROGRESS_INTERVAL = 0.25  # seconds between progress updates: at most four a second


def _state_of(problem: HubProblem) -> SyncState:
    if isinstance(problem, SignedOut):
        return SyncState.SIGNED_OUT
    if isinstance(problem, HubRefusedVersion):
        return SyncState.UPDATE_NEEDED
    if isinstance(problem, HubUnreachable):
        return SyncState.OFFLINE
    if isinstance(problem, OtherHub):
        return SyncState.OTHER_HUB
    return SyncState.HUB_ERROR


class ProgressThrottle:
    """Lets a progress update through at most once every ``interval`` seconds.

    Updates in between are dropped, not delayed: the next one that passes carries the
    latest counts, and the cycle's final status always follows.
    """

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: float | None = None

    def restart(self) -> None:
        """A status has just been published: the next update waits a full interval."""
        self._last = self.clock()

    def ready(self) -> bool:
        """Whether an update may go now (and if so, the interval starts again)."""
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            return False
        self._last = now
        return True


class SyncEngine:
    """Runs sync cycles between the local ``store`` and the hub behind ``client``."""

    def __init__(
        self,
        store: Store,
        client: HubClient,
        credentials: TokenStore | None = None,
        *,
        batch_size: int = MAX_PUSH_CHANGES,
        page_size: int = DEFAULT_PAGE_SIZE,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = utcnow,
        on_status: StatusListener | None = None,
        progress_interval: float = PROGRESS_INTERVAL,
    ) -> None:
        self.store = store
        self.client = client
        self.credentials = credentials
        self.batch_size = batch_size
        self.page_size = page_size
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.on_status = on_status
        self._cycle = threading.Lock()
        self._status_lock = threading.Lock()
        self._stop = threading.Event()
        self._status = SyncStatus(SyncState.NOT_SYNCED, None, 0)
        self.progress_throttle = ProgressThrottle(progress_interval)
        self._hub_checked = False

    # --- status -------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        """The latest status (cheap: no database or network)."""
        with self._status_lock:
            return self._status

    def _publish(self, state: SyncState, message: str | None = None) -> SyncStatus:
        user = self.client.user
        with self.store.read_session() as session:
            waiting = changes_waiting(session, user.id if user else None)
            synced = last_synced_at(session)
        credentials = self.credentials
        status = SyncStatus(
            state=state,
            last_synced_at=synced,
            changes_waiting=waiting,
            message=message,
            token_kept=credentials.persistent if credentials else False,
            keyring_message=credentials.message if credentials else None,
            to_send=(waiting or None) if state is SyncState.SYNCING else None,
        )
        with self._status_lock:
            self._status = status
            self.progress_throttle.restart()
        if self.on_status is not None:
            self.on_status(status)
        return status

    def _progress(self, tally: Tally) -> None:
        """Publish how far the running cycle has got (throttled; no database read)."""
        with self._status_lock:
            if self._status.state is not SyncState.SYNCING or not self.progress_throttle.ready():
                return
            status = replace(
                self._status, sent=tally.pushed, to_send=tally.to_send, received=tally.received
            )
            self._status = status
        if self.on_status is not None:
            self.on_status(status)

    # --- signing in and out ---------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> SessionInfo:
        """Sign in at the hub; the token goes to the keyring, the username to the store."""
        with self._cycle:
            self._check_hub()  # before a password goes to a hub this store may not use
            info = self.client.sign_in(username, password)
            self._save_user(info.user)
        self._publish(SyncState.NOT_SYNCED)
        return info

    def _save_user(self, user: HubUser) -> None:
        """Remember who signed in, and make sure this store knows them as a user."""
        row = user_row(
            {**vars(user), "specialty_codes": list(user.specialty_codes)}  # a wire-shaped copy
        )
        with self.store.session() as session:
            save_users(session, [row])
            remember_username(session, user.username)

    def change_password(self, current: str, new: str) -> None:
        """Change the signed-in user's password at the hub (this sign-in goes on)."""
        self.client.change_password(current, new)

    def sign_out(self) -> None:
        """Forget the token here and at the hub; queued changes stay queued.

        A running cycle is asked to stop first, so signing out does not wait for a long
        pull to finish.
        """
        self._stop.set()
        with self._cycle:
            self.client.sign_out()
        self._publish(SyncState.SIGNED_OUT, NOT_SIGNED_IN)

    def stop(self) -> None:
        """Ask a running cycle to end soon (between requests); later cycles run again."""
        self._stop.set()

    def _ensure_session(self) -> str:
        """The cursor key of the signed-in user, resuming a kept token if need be."""
        client = self.client
        if not client.signed_in:
            with self.store.read_session() as session:
                username = last_username(session)
            if not username or not client.resume(username):
                raise SignedOut(NOT_SIGNED_IN, "not_signed_in")
        user = client.user
        if user is None:
            user = client.me()
            self._save_user(user)
        fit_store(self.store, content_view(Role(user.role)).value)  # their view, no more
        return cursor_key(client.base_url, user.id)

    # --- the cycle ----------------------------------------------------------------------

    def sync_once(self) -> SyncReport:
        """One cycle: push, fetch what waited, pull; never raises for hub trouble."""
        with self._cycle:
            self._stop.clear()
            started = self._publish(SyncState.SYNCING)
            tally = Tally(stop=self._stop, to_send=started.to_send, on_progress=self._progress)
            state, message = SyncState.SYNCED, None
            try:
                self._run(tally)
                if self._stop.is_set():
                    state, message = SyncState.NOT_SYNCED, STOPPED
            except HubProblem as problem:
                state, message = _state_of(problem), problem.detail
                log.info("Sync ended early: %s (%s)", state.value, problem.code)
            except Exception as error:  # a local failure: its text may quote patient data
                state, message = SyncState.HUB_ERROR, UNEXPECTED
                log.error("Sync failed: %s", type(error).__name__)
            finished = self.clock()
            if state is SyncState.SYNCED:
                with self.store.session() as session:
                    write_state(session, LAST_SYNCED_KEY, finished.isoformat())
            self._publish(state, message)
            return tally.report(state, message, finished)

    def _check_hub(self) -> None:
        """Bind the store to this engine's hub, or refuse another (once per engine)."""
        if not self._hub_checked:
            check_hub(self.store, self.client)
            self._hub_checked = True

    def _run(self, tally: Tally) -> None:
        self._check_hub()
        key = self._ensure_session()
        push_pending(
            self.store,
            self.client,
            tally,
            backoff=self.backoff,
            clock=self.clock,
            batch_size=self.batch_size,
        )
        refetch_held_back(self.store, self.client, tally)
        pull_all(self.store, self.client, tally, cursor_key=key, page_size=self.page_size)
