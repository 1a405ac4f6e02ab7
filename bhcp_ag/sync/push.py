"""Step 1 of a sync cycle: upload attachments, push the outbox, settle each change.

Changes go in outbox order, at most 100 a request. The results of one request are
settled in one transaction: each change marked ``applied`` or ``rejected``, and each
conversation made exactly its returned snapshot, unless more of its changes still wait
(their own results will carry a newer one). A refused change is undone locally; the
user's words it carried are kept (a refused request becomes a draft again, a refused
reply or response is kept in ``rejected_changes``) and the reason is recorded.

A push that fails as a whole (network, 5xx) is repeated with backoff a few times; the
hub applies each change id at most once, so a repeat after a lost answer is safe. If it
still fails the changes stay pending for the next cycle. A push the hub refuses for
what it carries (413 too large, 400 or 422 unreadable) is sent again in halves, down to
one change, which is then settled as refused with the hub's reason, its words kept: no
change blocks the outbox for ever.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from bhcp_ag.store.db import Store
from bhcp_ag.store.sync_state import (
    PendingChange,
    Refusal,
    attachment_content,
    changes_waiting,
    drop_message,
    files_carried,
    mark_applied,
    note_failed_attempt,
    pending_batch,
    pending_conversation_ids,
    record_rejection,
    replace_conversations,
    revert_submit_to_draft,
)
from bhcp_ag.sync.client import MAX_PUSH_CHANGES, HubClient
from bhcp_ag.sync.errors import HubCertificateRefused, HubError, HubProblem, HubUnreachable
from bhcp_ag.sync.report import Rejection, Tally
from bhcp_ag.sync.snapshots import snapshot_rows
from bhcp_ag.sync.wire import ChangeResult, Json, time_text

log = logging.getLogger(__name__)

T = TypeVar("T")

SUBMIT = "conversation.submit"
REDIRECT = "conversation.redirect"
TEXT_KINDS = frozenset({"conversation.reply", "conversation.respond"})
DEFAULT_REASON = "The hub refused this change."
WHOLE_PUSH_REFUSALS = frozenset({400, 413, 422})
"""A push the hub refused for what it carries: final, unlike 5xx, 401 or 426."""


@dataclass(frozen=True)
class Backoff:
    """Bounded retries of a call that failed for a transient reason, waiting longer each time."""

    attempts: int = 3
    first_delay: float = 0.5

    def run(self, call: Callable[[], T], stop: threading.Event) -> T:
        for attempt in range(self.attempts):
            try:
                return call()
            except HubCertificateRefused:
                raise
            except (HubUnreachable, HubError) as problem:
                transient = not isinstance(problem, HubError) or problem.transient
                if not transient or attempt + 1 >= self.attempts:
                    raise
                log.info("Transient hub failure (%s); trying again", problem.code)
                if stop.wait(self.delay(attempt)):
                    raise
        raise AssertionError("unreachable: Backoff needs attempts >= 1")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (from 0)."""
        return self.first_delay * 2**attempt


def wire_change(change: PendingChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "kind": change.kind,
        "conversation_id": change.conversation_id,
        "created_at": time_text(change.created_at),
        "payload": dict(change.payload),
    }


def _attachment_hashes(batch: Sequence[PendingChange]) -> list[str]:
    return sorted({sha256 for change in batch for sha256, _ in files_carried(change.payload)})


def upload_attachments(
    store: Store, client: HubClient, batch: Sequence[PendingChange]
) -> dict[str, str]:
    """Send the bytes of every attachment the batch refers to (idempotent at the hub).

    Returns the hub's reason for each upload it refused, by SHA-256 (a file kept before
    the desktop checked files as the hub does, say): the change that refers to it is
    then refused, and that reason is the one to show.
    """
    refused: dict[str, str] = {}
    for sha256 in _attachment_hashes(batch):
        with store.read_session() as session:
            found = attachment_content(session, sha256)
        if found is None:
            continue  # the hub refuses the change that needs it, and says why
        try:
            client.upload_attachment(sha256, found[0], found[1])
        except HubError as error:
            if error.transient:
                raise
            log.warning("The hub refused an attachment upload (%s)", error.code)
            refused[sha256] = error.detail
    return refused


def with_upload_reasons(
    batch: Sequence[PendingChange], results: Sequence[ChangeResult], refused: dict[str, str]
) -> list[ChangeResult]:
    """``results``, where a change was refused for a file whose upload the hub refused
    saying why it would not take the file (not merely that it has not arrived)."""
    answered = []
    for change, result in zip(batch, results, strict=True):
        reasons = [
            f"'{name}': {refused[sha256]}"
            for sha256, name in files_carried(change.payload)
            if sha256 in refused
        ]
        if result.code == "attachment_missing" and reasons:
            result = replace(result, reason=" ".join(dict.fromkeys(reasons)))
        answered.append(result)
    return answered


def _refusal(change: PendingChange, result: ChangeResult) -> Refusal:
    kept: str | None = None
    if change.kind in TEXT_KINDS:
        kept = str(change.payload.get("body") or "") or None
    elif change.kind == REDIRECT:
        kept = str(change.payload.get("note") or "") or None
    elif change.kind == SUBMIT and result.conversation is not None:
        kept = str(change.payload.get("question") or "") or None  # not a draft again
    return Refusal(change, result.code, result.reason or DEFAULT_REASON, kept)


def _undo_without_snapshot(session: Any, change: PendingChange) -> bool:
    """Undo a refused change the hub sent no snapshot for; True when a draft again."""
    message_id = change.payload.get("message_id")
    if change.kind == SUBMIT and change.conversation_id:
        revert_submit_to_draft(session, change.conversation_id, message_id)
        return True
    if message_id:
        drop_message(session, str(message_id))
    return False


def settle(
    session: Any, batch: Sequence[PendingChange], results: Sequence[ChangeResult], now: datetime
) -> list[Rejection]:
    """Record one push's results, in the caller's transaction; returns the refusals."""
    latest: dict[str, Json] = {}
    rejections: list[Rejection] = []
    for change, result in zip(batch, results, strict=True):
        if result.conversation is not None:
            latest[str(result.conversation.get("id"))] = result.conversation
        if result.applied:
            continue
        refusal = _refusal(change, result)
        record_rejection(session, refusal, now)
        to_draft = result.conversation is None and _undo_without_snapshot(session, change)
        rejections.append(
            Rejection(
                change.id,
                change.conversation_id,
                change.kind,
                result.code,
                refusal.reason,
                kept_text=refusal.kept_text is not None or to_draft,
                back_to_draft=to_draft,
            )
        )
    mark_applied(session, [c.id for c, r in zip(batch, results, strict=True) if r.applied])
    waiting = pending_conversation_ids(session)
    replace_conversations(
        session, snapshot_rows(snap for cid, snap in latest.items() if cid not in waiting)
    )
    return rejections


def _refused_whole(change: PendingChange, error: HubError) -> ChangeResult:
    """The final answer for one change the hub refuses to take at all (413, 400, 422)."""
    return ChangeResult(change.id, "rejected", error.code or None, error.detail, None)


def _not_sent(change: PendingChange, reason: str | None) -> ChangeResult:
    return ChangeResult(change.id, "retry", "retry_later", reason, None)


def _push_in_parts(
    client: HubClient, batch: Sequence[PendingChange], backoff: Backoff, tally: Tally
) -> list[ChangeResult]:
    """Push ``batch``; when the hub refuses the request as a whole for what it carries
    (too large, or not a push it can read), push it again in halves, so that a single
    change the hub will never take is settled as refused and the rest go on."""
    try:
        return backoff.run(lambda: client.push([wire_change(c) for c in batch]), tally.stop)
    except HubError as error:
        if error.status not in WHOLE_PUSH_REFUSALS:
            raise
        if len(batch) == 1:
            log.warning("The hub refused a change as a whole (%s)", error.code)
            return [_refused_whole(batch[0], error)]
    middle = len(batch) // 2
    first = _push_in_parts(client, batch[:middle], backoff, tally)
    if any(not result.final for result in first):  # order: nothing overtakes a change
        reason = next(r.reason for r in first if not r.final)
        return first + [_not_sent(change, reason) for change in batch[middle:]]
    return first + _push_in_parts(client, batch[middle:], backoff, tally)


def _push_batch(
    store: Store, client: HubClient, batch: Sequence[PendingChange], backoff: Backoff, tally: Tally
) -> list[ChangeResult]:
    """Upload the batch's attachments and push it; a failed push is noted on its changes."""
    refused = upload_attachments(store, client, batch)
    try:
        results = _push_in_parts(client, batch, backoff, tally)
    except HubProblem as problem:
        with store.session() as session:
            note_failed_attempt(session, [c.id for c in batch], problem.detail)
        raise
    return with_upload_reasons(batch, results, refused)


def _settle_batch(
    store: Store, batch: Sequence[PendingChange], results: Sequence[ChangeResult], now: datetime
) -> tuple[list[Rejection], int]:
    """Settle the final results in one transaction: (the refusals, how many must wait)."""
    final = [(c, r) for c, r in zip(batch, results, strict=True) if r.final]
    waiting = [c.id for c, r in zip(batch, results, strict=True) if not r.final]
    with store.session() as session:
        rejections = settle(session, [c for c, _ in final], [r for _, r in final], now)
        if waiting:
            reason = next(r.reason for r in results if not r.final) or "Try again later."
            note_failed_attempt(session, waiting, reason)
    return rejections, len(waiting)


def push_pending(
    store: Store,
    client: HubClient,
    tally: Tally,
    *,
    backoff: Backoff,
    clock: Callable[[], datetime],
    batch_size: int = MAX_PUSH_CHANGES,
) -> None:
    """Push every pending change the signed-in user made, a batch at a time, settling each
    batch as it returns. Another user's changes wait for them to sign in: the hub records
    whoever pushes a change as its author.

    Changes the hub answers ``retry`` are pushed again after a wait, a bounded number of
    times; then the cycle ends with them still queued. ``tally.to_send`` is kept as the
    changes sent so far plus those still queued, and ``tally.progressed()`` is called as
    each batch settles.
    """
    size = max(1, min(batch_size, MAX_PUSH_CHANGES))
    retries = 0
    author = client.user.id if client.user else None
    if author is None:
        return  # not signed in: nobody's changes go
    while not tally.stop.is_set():
        with store.read_session() as session:
            batch = pending_batch(session, size, author)
            if batch:  # sent so far and still queued: changes made meanwhile count too
                tally.to_send = tally.pushed + changes_waiting(session, author)
        if not batch:
            return
        results = _push_batch(store, client, batch, backoff, tally)
        rejections, waiting = _settle_batch(store, batch, results, clock())
        settled = len(batch) - waiting
        tally.pushed += settled
        tally.rejected += len(rejections)
        tally.applied += settled - len(rejections)
        tally.rejections.extend(rejections)
        tally.progressed()
        if waiting:
            retries += 1
            if retries >= backoff.attempts or tally.stop.wait(backoff.delay(retries - 1)):
                raise HubError(503, "retry_later", "The hub could not apply every change yet.")
