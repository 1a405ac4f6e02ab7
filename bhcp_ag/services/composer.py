"""What a user is writing in a conversation, kept as they type, and specialists' snippets.

A composer draft is one row per conversation and user: the text and the response they
had chosen. The UI saves it a moment after each edit and when the window closes, so
nothing typed is lost; sending the words deletes it (in the send's own transaction, see
:mod:`bhcp_ag.services.conversation_actions`). When the hub refused words the user
sent, they come back here: :meth:`Composer.load` offers the kept text of the latest
unseen refusal if there is no newer draft, and :meth:`Composer.refusals_seen` keeps it as
the draft and puts back the files the refused reply or response carried, once.

Files picked to go with the words (a photo the specialist asked for) are kept the same
way, their bytes stored at once, until the words are sent. Sent files keep their bytes
in the store, and the outbox keeps which files a change carried, so a refused change's
files can come back without being picked again.

Reply snippets are a specialist's saved wordings ("Reassure, review in 6 weeks..."),
kept on this computer. These functions run on any thread and never touch the UI.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, literal_column, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from bhcp_ag.domain.actions import Action
from bhcp_ag.domain.limits import TextRefused, check_text
from bhcp_ag.services.attachments import prepare
from bhcp_ag.store import conversations as repo
from bhcp_ag.store.db import Store
from bhcp_ag.store.models import (
    AttachmentContent,
    ComposerDraft,
    ComposerFile,
    OutboxChange,
    RejectedChange,
    ReplySnippet,
    utcnow,
)
from bhcp_ag.store.sync_state import by_user, files_carried

MAX_SNIPPET_TITLE = 80
ADDED_ORDER: ColumnClause[int] = literal_column("composer_files.rowid")
"""Insertion order, where two files were added at the same instant (dropped together)."""
SENT_WITH_FILES = (Action.REPLY.value, Action.RESPOND.value)
"""Changes whose files come back to the composer when refused (a refused request is a
draft again with its files still on it)."""


class SnippetRefused(ValueError):
    """A snippet without a title or text, or with too much of either."""


@dataclass(frozen=True)
class Written:
    """Text being written in a conversation, and the response chosen for it (if any)."""

    body: str
    choice: str | None = None
    restored_from_refusal: str | None = None  # the hub's reason, when the text came back


@dataclass(frozen=True)
class PendingFile:
    """A file waiting to go with the next message in a conversation."""

    id: str
    filename: str
    sha256: str
    mime_type: str
    size: int
    notes: tuple[str, ...] = ()  # what was changed in the file when it was added


@dataclass(frozen=True)
class FilesBack:
    """The files of refused changes put back to send again, and any that could not be."""

    restored: tuple[PendingFile, ...] = ()
    missing: tuple[str, ...] = ()  # names whose bytes this computer no longer has


@dataclass(frozen=True)
class Snippet:
    id: str
    title: str
    body: str


def pending_files(session: Session, conversation_id: str, user_id: str) -> list[PendingFile]:
    """The files ``user_id`` has picked for their next message in ``conversation_id``."""
    query = (
        select(ComposerFile, AttachmentContent.mime_type, AttachmentContent.size)
        .join(AttachmentContent, AttachmentContent.sha256 == ComposerFile.sha256)
        .where(ComposerFile.conversation_id == conversation_id, ComposerFile.user_id == user_id)
        .order_by(ComposerFile.added_at, ADDED_ORDER)
    )
    return [
        PendingFile(row.id, row.filename, row.sha256, mime, size)
        for row, mime, size in session.execute(query)
    ]


def _files_carried(payload: str | None) -> list[tuple[str, str]]:
    """(SHA-256, file name) of each file an outbox change's payload (JSON text) sent."""
    try:
        sent = json.loads(payload or "{}")
    except ValueError:  # not JSON
        return []
    return files_carried(sent) if isinstance(sent, Mapping) else []


class Composer:
    """Composer drafts and reply snippets of one user."""

    def __init__(self, store: Store, user_id: str, now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._user_id = user_id
        self._now = now

    def save(self, conversation_id: str, body: str, choice: str | None = None) -> None:
        """Keep what is being written (an empty text with no choice removes the draft)."""
        with self._store.session() as session:
            self._keep(session, conversation_id, body, choice)

    def _keep(self, session: Session, conversation_id: str, body: str, choice: str | None) -> None:
        draft = session.get(ComposerDraft, (conversation_id, self._user_id))
        if not body.strip() and choice is None:
            if draft is not None:
                session.delete(draft)
            return
        if draft is None:
            draft = ComposerDraft(conversation_id=conversation_id, user_id=self._user_id)
            session.add(draft)
        draft.body, draft.choice, draft.updated_at = body, choice, self._now()

    def load(self, conversation_id: str) -> Written | None:
        """The draft being written here, or words of a refused change to write again."""
        with self._store.read_session() as session:
            draft = session.get(ComposerDraft, (conversation_id, self._user_id))
            refused = session.scalars(
                select(RejectedChange)
                .outerjoin(OutboxChange, OutboxChange.id == RejectedChange.change_id)
                .where(
                    RejectedChange.conversation_id == conversation_id,
                    RejectedChange.kept_text.is_not(None),
                    RejectedChange.seen_at.is_(None),
                    by_user(self._user_id),  # another user's words are theirs
                )
                .order_by(RejectedChange.rejected_at.desc())
            ).first()
            if refused is not None and (draft is None or draft.updated_at < refused.rejected_at):
                return Written(refused.kept_text or "", None, refused.reason)
            if draft is None:
                return None
            return Written(draft.body, draft.choice)

    def refusals_seen(self, conversation_id: str, words: Written | None = None) -> FilesBack:
        """The user has what the hub refused back in front of them: do not offer it again.

        One unit of work, so that words and files come back together and once: the
        conversation's unseen refusals are marked seen, ``words`` (what :meth:`load`
        offered) become the draft, and the files the refused replies and responses
        carried are put back among the files to send, unless the same bytes wait there
        already (the user attached them again). Returns the files put back.
        """
        with self._store.session() as session:
            refused = session.execute(
                select(RejectedChange.change_id, RejectedChange.kind, OutboxChange.payload)
                .outerjoin(OutboxChange, OutboxChange.id == RejectedChange.change_id)
                .where(
                    RejectedChange.conversation_id == conversation_id,
                    RejectedChange.seen_at.is_(None),
                    by_user(self._user_id),
                )
                .order_by(RejectedChange.rejected_at)
            ).all()
            if words is not None:
                self._keep(session, conversation_id, words.body, words.choice)
            if not refused:
                return FilesBack()
            session.execute(
                update(RejectedChange)
                .where(RejectedChange.change_id.in_([row.change_id for row in refused]))
                .values(seen_at=self._now())
            )
            carried = [
                file
                for row in refused
                if row.kind in SENT_WITH_FILES
                for file in _files_carried(row.payload)
            ]
            return self._put_back(session, conversation_id, carried)

    def _put_back(
        self, session: Session, conversation_id: str, carried: Sequence[tuple[str, str]]
    ) -> FilesBack:
        """Pick ``carried`` (SHA-256, file name) again, each once, from the stored bytes."""
        waiting = {f.sha256 for f in pending_files(session, conversation_id, self._user_id)}
        restored: list[PendingFile] = []
        missing: list[str] = []
        now = self._now()
        for sha256, filename in carried:
            if sha256 in waiting:
                continue
            content = session.get(AttachmentContent, sha256)
            if content is None:
                missing.append(filename)
                continue
            waiting.add(sha256)
            row = ComposerFile(
                id=repo.new_id(),
                conversation_id=conversation_id,
                user_id=self._user_id,
                sha256=sha256,
                filename=filename,
                added_at=now,
            )
            session.add(row)
            restored.append(PendingFile(row.id, filename, sha256, content.mime_type, content.size))
        return FilesBack(tuple(restored), tuple(missing))

    # --- files to send with the words ---------------------------------------------------

    def add_file(self, conversation_id: str, filename: str, data: bytes) -> PendingFile:
        """Keep a file to go with the next message; ``AttachmentRefused`` says why not."""
        prepared, checked = prepare(filename, data)
        with self._store.session() as session:
            repo.keep_content(session, checked, prepared.file.content)
            row = ComposerFile(
                id=repo.new_id(),
                conversation_id=conversation_id,
                user_id=self._user_id,
                sha256=checked.sha256,
                filename=prepared.filename,
                added_at=self._now(),
            )
            session.add(row)
            return PendingFile(
                row.id, row.filename, row.sha256, checked.mime_type, checked.size, prepared.notes
            )

    def files(self, conversation_id: str) -> list[PendingFile]:
        """The files waiting to go with the next message, in the order they were added."""
        with self._store.read_session() as session:
            return pending_files(session, conversation_id, self._user_id)

    def remove_file(self, file_id: str) -> None:
        with self._store.session() as session:
            session.execute(
                delete(ComposerFile).where(
                    ComposerFile.id == file_id, ComposerFile.user_id == self._user_id
                )
            )

    # --- snippets ----------------------------------------------------------------------

    def snippets(self) -> list[Snippet]:
        with self._store.read_session() as session:
            rows = session.scalars(
                select(ReplySnippet)
                .where(ReplySnippet.user_id == self._user_id)
                .order_by(ReplySnippet.title, ReplySnippet.created_at)
            )
            return [Snippet(r.id, r.title, r.body) for r in rows]

    def add_snippet(self, title: str, body: str) -> Snippet:
        title = title.strip()
        if not title:
            raise SnippetRefused("Give the snippet a short title.")
        if len(title) > MAX_SNIPPET_TITLE:
            raise SnippetRefused(f"Keep the title to {MAX_SNIPPET_TITLE} characters.")
        try:
            text = check_text("The snippet", body)
        except TextRefused as error:
            raise SnippetRefused(str(error)) from None
        snippet = Snippet(repo.new_id(), title, text)
        with self._store.session() as session:
            session.add(
                ReplySnippet(
                    id=snippet.id,
                    user_id=self._user_id,
                    title=title,
                    body=text,
                    created_at=self._now(),
                )
            )
        return snippet

    def delete_snippet(self, snippet_id: str) -> None:
        with self._store.session() as session:
            session.execute(
                delete(ReplySnippet).where(
                    ReplySnippet.id == snippet_id, ReplySnippet.user_id == self._user_id
                )
            )
