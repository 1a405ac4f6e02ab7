"""The composer when the hub refuses a reply already sent: its words and files come back.

The refusal is settled as sync settles it (:func:`bhcp_ag.sync.push.settle`, with the
conversation as the hub has it), then the panel is shown again, as the window does after
a sync cycle that brought a refusal.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from bhcp_ag.domain.conversation import Status
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.store.models import Conversation
from bhcp_ag.store.sync_state import pending_batch
from bhcp_ag.sync.push import settle
from bhcp_ag.sync.wire import ChangeResult
from tests.sync.test_sync_state import snapshot
from tests.ui.conftest import NOW
from tests.ui.test_conversation_panel import (
    OpenWindow,
    _of_practice_in,
    _png,
    _queued,
    _show,
    open_window,
)

__all__ = ["open_window"]  # the fixture, used here by name

REASON = "Dr Patel replied for the practice at 10:02."


def _refused_by_the_hub(workspace: Workspace, cid: str) -> None:
    """Sync's settling of the hub's refusal of the last change: the conversation back as
    the hub has it, still waiting for the practice's reply."""
    with workspace.store.read_session() as session:
        change = pending_batch(session, 100, None)[-1]
        conv = session.get(Conversation, cid)
        assert conv is not None and change.conversation_id == cid
        as_the_hub_has_it = snapshot(
            cid,
            status=Status.MORE_INFO_REQUESTED.value,
            practice_code=conv.practice_code,
            requester_id=conv.requester_id,
            specialty_code=conv.specialty_code,
        )
    refused = ChangeResult(change.id, "rejected", "transition_refused", REASON, as_the_hub_has_it)
    with workspace.store.session() as session:
        settle(session, [change], [refused], NOW)


def test_a_refused_reply_brings_back_its_words_and_files_once(
    qtbot: QtBot, open_window: OpenWindow, workspace: Workspace, tmp_path: Path
) -> None:
    cid = _of_practice_in(workspace, Status.MORE_INFO_REQUESTED)
    other = _of_practice_in(workspace, Status.ADVICE_RETURNED)
    window = open_window(workspace.user.username)
    _show(window, cid)
    panel, composer = window.panel, window.panel.composer
    photo = tmp_path / "arm.png"
    photo.write_bytes(_png())
    assert composer.files.add_paths([photo]) == ["arm.png"]
    composer.text.setPlainText("The rash has spread; photo attached.")
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not composer.isVisible())  # sent: nothing to reply to now

    _refused_by_the_hub(workspace, cid)
    panel.refresh()  # what the window does after a sync that brought a refusal
    qtbot.waitUntil(composer.isVisible)
    assert composer.text.toPlainText() == "The rash has spread; photo attached."
    assert composer.files.names() == ["arm.png"]
    assert composer.problem.isVisibleTo(composer)
    assert composer.problem.text() == (
        f"The hub refused what you sent: {REASON} "
        "Your words and arm.png are back here to change or send again."
    )

    _show(window, other)  # away and back: nothing comes back twice
    _show(window, cid)
    assert composer.files.names() == ["arm.png"]
    assert not composer.problem.isVisibleTo(composer)

    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)  # send again
    qtbot.waitUntil(lambda: not composer.isVisible())
    kind, payload = _queued(workspace)[-1]
    assert kind == "conversation.reply"
    assert payload["body"] == "The rash has spread; photo attached."
    assert [a["filename"] for a in payload["attachments"]] == ["arm.png"]
