"""The conversation panel: claim, respond, reply, close, copy, and nothing typed lost."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from bhcp_ag.domain.conversation import (
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    SpecialistOutcome,
    Status,
)
from bhcp_ag.services.workspace import Workspace, load_user
from bhcp_ag.store.models import Conversation, Message, User
from bhcp_ag.store.reference import DEMO_MANAGER, DEMO_SPECIALIST
from bhcp_ag.ui.attachment_preview import AttachmentPreview
from bhcp_ag.ui.conversation_panel import ConversationPanel
from bhcp_ag.ui.conversation_view import ConversationViewer, message_anchor
from bhcp_ag.ui.main_window import MainWindow
from tests.ui.conftest import queued_changes as _queued
from tests.ui.conftest import stored_conversation as _status

OpenWindow = Callable[[str], MainWindow]


@pytest.fixture
def open_window(
    qtbot: QtBot, workspace: Workspace, settings: QSettings, now: datetime
) -> Iterator[OpenWindow]:
    """Open a main window for a demo user, kept alive until the test's teardown.

    (A window only the test function refers to sits in reference cycles through its
    signal connections; the cyclic collector could free it in the middle of a paint
    after the test returns, which crashes Qt.)
    """
    windows: list[MainWindow] = []

    def open_for(username: str) -> MainWindow:
        user = load_user(workspace.store, username)
        ws = Workspace.for_user(
            workspace.store, user, workspace.catalogue, workspace.targets, lambda: now
        )
        window = MainWindow(ws, settings=settings, now=lambda: now)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        return window

    yield open_for
    for window in windows:
        window.close()


def _find(workspace: Workspace, *conditions: object) -> str:
    with workspace.store.read_session() as session:
        found = session.scalar(select(Conversation.id).where(*conditions).limit(1))  # type: ignore[arg-type]
    assert found is not None, "the demo store has no such conversation"
    return found


def _of_practice_in(workspace: Workspace, status: Status) -> str:
    """A conversation of the GP's practice, put in ``status`` (as a sync would)."""
    cid = _find(
        workspace,
        Conversation.practice_code == workspace.user.practice_code,
        Conversation.status.in_((Status.CLOSED, Status.AWAITING_SPECIALIST)),
    )
    with workspace.store.session() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(status=status, closing_outcome=None, closed_at=None)
        )
    return cid


def _unclaimed_in_queue(workspace: Workspace) -> str:
    cid = _find(
        workspace,
        Conversation.status == Status.AWAITING_SPECIALIST,
        Conversation.specialty_code.in_(("330", "410")),
    )
    with workspace.store.session() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(claimed_by_id=None, claimed_at=None)
        )
    return cid


def _set(workspace: Workspace, cid: str, **values: object) -> None:
    """Change the conversation ``cid`` in the store directly (as a sync would have)."""
    with workspace.store.session() as session:
        session.execute(update(Conversation).where(Conversation.id == cid).values(**values))


def _show(window: MainWindow, cid: str) -> None:
    window.filter_bar.status.setCurrentIndex(0)  # All
    assert window.select_conversation(cid)
    assert window.panel.conversation_id == cid


def test_a_specialist_claims_and_advises(
    qtbot: QtBot, open_window: OpenWindow, workspace: Workspace
) -> None:
    cid = _unclaimed_in_queue(workspace)
    window = open_window(DEMO_SPECIALIST)
    _show(window, cid)
    panel = window.panel
    assert panel.claim_button.isEnabled() and panel.composer.isVisible()
    assert "Due" in panel.composer.due_label.text()

    qtbot.mouseClick(panel.claim_button, Qt.MouseButton.LeftButton)
    assert panel.claim_label.text() == "Claimed by Dr Rohan Mehta"
    assert not panel.claim_button.isEnabled() and panel.release_button.isEnabled()
    assert "You claimed the request." in window.statusBar().currentMessage()

    composer = panel.composer
    composer.text.setPlainText("Seborrhoeic keratosis; reassure.")
    composer.choose_outcome(SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE)
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert composer.problem.isVisibleTo(composer)
    assert "recommendation" in composer.problem.text()
    assert composer.text.toPlainText() == "Seborrhoeic keratosis; reassure."  # kept

    composer.choose_recommendation(Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED)
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert _status(workspace, cid).status == Status.ADVICE_RETURNED
    assert composer.text.toPlainText() == "" and not composer.isVisible()
    assert [kind for kind, _ in _queued(workspace)] == [
        "conversation.claim",
        "conversation.respond",
    ]
    assert "Advice sent to the GP." in window.statusBar().currentMessage()
    assert "Seborrhoeic keratosis" in panel.viewer.toPlainText()
    assert not panel.release_button.isEnabled()  # advice sent: nothing to release


def test_converting_needs_the_claim_and_asks_once_saying_what_happens(
    qtbot: QtBot, open_window: OpenWindow, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = _unclaimed_in_queue(workspace)
    _set(workspace, cid, convert_authorisation="AUTHORISED_TO_CONVERT")
    window = open_window(DEMO_SPECIALIST)
    _show(window, cid)
    panel, composer = window.panel, window.panel.composer
    convert = composer.outcome_buttons[SpecialistOutcome.PROVIDER_CONVERTED]
    assert not convert.isEnabled() and "Claim the request" in convert.toolTip()
    qtbot.mouseClick(panel.claim_button, Qt.MouseButton.LeftButton)
    assert convert.isEnabled()

    asked: list[str] = []
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]

    def answer(_parent: object, title: str, text: str, *_args: object) -> object:
        asked.append(f"{title} {text}")
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    composer.text.setPlainText("Booking into the lesion clinic.")
    composer.choose_outcome(SpecialistOutcome.PROVIDER_CONVERTED)
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "cannot be undone" in asked[0] and "in your name" in asked[0]
    assert _status(workspace, cid).status != Status.CONVERTED  # Cancel: nothing sent
    assert composer.text.toPlainText() == "Booking into the lesion clinic."
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2 and _status(workspace, cid).status == Status.CONVERTED


def test_a_request_claimed_by_a_colleague_says_who(
    open_window: OpenWindow, workspace: Workspace
) -> None:
    cid = _unclaimed_in_queue(workspace)
    with workspace.store.session() as session:
        colleague = session.scalar(
            select(User.id).where(User.role == "specialist", User.username != DEMO_SPECIALIST)
        )
        session.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(claimed_by_id=colleague, claimed_at=datetime(2026, 11, 23, 9, 12).astimezone())
        )
    window = open_window(DEMO_SPECIALIST)
    _show(window, cid)
    panel = window.panel
    assert not panel.claim_button.isEnabled()
    assert "claimed this request at" in panel.claim_button.toolTip()
    assert panel.claim_label.text().startswith("Claimed by ")
    assert not panel.composer.isVisible()


def test_what_a_specialist_types_survives_a_refresh_and_a_restart(
    qtbot: QtBot, open_window: OpenWindow, workspace: Workspace
) -> None:
    cid = _unclaimed_in_queue(workspace)
    window = open_window(DEMO_SPECIALIST)
    _show(window, cid)
    composer = window.panel.composer
    composer.text.setFocus()
    qtbot.keyClicks(composer.text, "Please send a photo")
    composer.choose_outcome(SpecialistOutcome.REQUIRE_FURTHER_INFORMATION)
    cursor = composer.text.textCursor().position()
    window.refresh()  # as after a sync that brought something
    assert composer.text.toPlainText() == "Please send a photo"
    assert composer.text.textCursor().position() == cursor
    qtbot.waitUntil(lambda: "Draft kept" in composer.saved_label.text())
    window.close()

    again = open_window(DEMO_SPECIALIST)
    _show(again, cid)
    restored = again.panel.composer
    assert restored.text.toPlainText() == "Please send a photo"
    assert restored.outcome() is SpecialistOutcome.REQUIRE_FURTHER_INFORMATION


def test_a_gp_replies_then_closes_and_the_referral_counts_as_avoided(
    qtbot: QtBot, open_window: OpenWindow, workspace: Workspace
) -> None:
    cid = _of_practice_in(workspace, Status.MORE_INFO_REQUESTED)
    window = open_window(workspace.user.username)
    _show(window, cid)
    panel = window.panel
    assert panel.composer.isVisible()
    assert panel.composer.title() == "Reply with the information asked for"
    qtbot.mouseClick(panel.composer.send_button, Qt.MouseButton.LeftButton)
    assert "Your reply" in panel.composer.problem.text()  # empty: refused, said why
    panel.composer.text.setPlainText("Lesion 6 mm, photo in the record.")
    qtbot.mouseClick(panel.composer.send_button, Qt.MouseButton.LeftButton)
    assert _status(workspace, cid).status == Status.AWAITING_SPECIALIST
    assert not panel.close_button.isEnabled()  # awaiting the specialist now

    with workspace.store.session() as session:  # the specialist's advice arrives
        session.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(status=Status.ADVICE_RETURNED, would_have_referred="yes")
        )
    panel.refresh()
    assert panel.close_button.isEnabled()
    assert panel.composer.title() == "Ask a follow-up question about the advice"
    assert panel.close_conversation(ClosingOutcome.MANAGED_IN_PRIMARY_CARE, AdviceUseful.YES)
    closed = _status(workspace, cid)
    assert (closed.status, closed.referral_avoided) == (Status.CLOSED, True)
    assert _queued(workspace)[-1] == (
        "conversation.close",
        {"closing_outcome": "managed_in_primary_care", "advice_useful": "yes", "note": ""},
    )


def test_copy_as_text_puts_the_thread_on_the_clipboard(
    open_window: OpenWindow, workspace: Workspace
) -> None:
    cid = _find(
        workspace,
        Conversation.status == Status.CLOSED,
        Conversation.practice_code == workspace.user.practice_code,
    )
    window = open_window(workspace.user.username)
    _show(window, cid)
    text = window.panel.copy_as_text()
    assert QGuiApplication.clipboard().text() == text
    conv = _status(workspace, cid)
    assert text.startswith(f"Advice and Guidance: {window.panel._view.specialty_name}")  # type: ignore[union-attr]
    assert conv.patient_nhs_number[:3] in text and "Advice, " in text
    assert "<" not in text  # plain text, no markup


def test_a_practice_manager_reads_but_has_nothing_to_press(
    open_window: OpenWindow, workspace: Workspace
) -> None:
    cid = _of_practice_in(workspace, Status.ADVICE_RETURNED)
    window = open_window(DEMO_MANAGER)
    _show(window, cid)
    panel = window.panel
    assert not panel.composer.isVisible()
    visible = [b for b in panel._buttons() if b.isVisible()]
    assert visible == [panel.copy_button]


def test_a_refused_action_says_why_and_changes_nothing(
    open_window: OpenWindow, workspace: Workspace
) -> None:
    cid = _unclaimed_in_queue(workspace)
    window = open_window(DEMO_SPECIALIST)
    _show(window, cid)
    with workspace.store.session() as session:  # meanwhile the GP cancelled it
        session.execute(
            update(Conversation).where(Conversation.id == cid).values(status=Status.CANCELLED)
        )
    assert not window.panel.claim()
    assert window.panel.problem.isVisibleTo(window.panel)
    assert "cannot be claimed" in window.panel.problem.text()
    assert _queued(workspace) == []


def _png() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#c98f7a"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_the_specialist_sees_the_photo_and_opens_it_large(
    qtbot: QtBot, open_window: OpenWindow, workspace: Workspace
) -> None:
    from tests.services.test_requests import FORM

    requests = workspace.requests
    draft = requests.save_draft(workspace.user.id, FORM)
    requests.attach(draft, "left-arm.png", _png())
    requests.submit(workspace.user.id, FORM, draft)
    _set(workspace, draft, status="awaiting_specialist")
    window = open_window(DEMO_SPECIALIST)
    _show(window, draft)
    viewer = window.panel.viewer
    photo = "left-arm.png — PNG picture"  # the real type, by content
    assert photo in _message_text(viewer, 0)  # with the request's message
    assert "PNG image, 120 × 80" in viewer.toPlainText()
    preview = _click_link(qtbot, viewer, photo)
    assert preview.isVisible() and not preview.shown_size().isEmpty()
    preview.close()

    other = _unclaimed_in_queue(workspace)
    _show(window, other)
    assert "left-arm.png" not in viewer.toPlainText()


def _message_text(viewer: ConversationViewer, index: int) -> str:
    """The plain text of the ``index``-th message of the thread, up to the next one."""
    starts = {}
    block = viewer.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            for name in fragments.fragment().charFormat().anchorNames():
                starts[name] = fragments.fragment().position()
            fragments += 1
        block = block.next()
    cursor = QTextCursor(viewer.document())
    cursor.setPosition(starts[message_anchor(index)])
    end = starts.get(message_anchor(index + 1))
    if end is None:
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    else:
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selection().toPlainText()


def _click_link(qtbot: QtBot, viewer: ConversationViewer, text: str) -> AttachmentPreview:
    """Scroll to the link ``text`` in the thread, click it, and return the preview it opens."""
    found = viewer.document().find(text)
    assert not found.isNull(), f"no {text!r} in the thread"
    found.setPosition(found.selectionStart() + 2)
    viewer.setTextCursor(found)
    viewer.ensureCursorVisible()
    spot = viewer.cursorRect(found).center()
    assert viewer.anchorAt(spot).startswith("attachment:")
    qtbot.mouseClick(viewer.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    preview = viewer.preview
    assert preview is not None
    qtbot.waitExposed(preview)
    return preview


def test_a_gp_sends_a_photo_with_the_reply(
    qtbot: QtBot, open_window: OpenWindow, workspace: Workspace, tmp_path: Path
) -> None:
    from PySide6.QtCore import QMimeData, QPoint, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    cid = _of_practice_in(workspace, Status.MORE_INFO_REQUESTED)
    window = open_window(workspace.user.username)
    _show(window, cid)
    composer = window.panel.composer
    photo, note = tmp_path / "arm.png", tmp_path / "notes.txt"
    photo.write_bytes(_png())
    note.write_text("not a picture")
    assert composer.files.add_paths([photo, note]) == ["arm.png"]
    assert "notes.txt" in composer.problem.text()  # refused, and said why
    assert composer.files.names() == ["arm.png"]

    dropped = tmp_path / "close-up.png"
    dropped.write_bytes(_png())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    centre = composer.rect().center()
    actions, button = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(QPoint(centre), actions, mime, button, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(composer, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(centre), actions, mime, button, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(composer, drop)
    assert composer.files.names() == ["arm.png", "close-up.png"]

    composer.text.setPlainText("Two photos attached.")
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    payload = _queued(workspace)[-1][1]
    assert [a["filename"] for a in payload["attachments"]] == ["arm.png", "close-up.png"]
    assert composer.files.names() == []
    reply = _message_text(window.panel.viewer, len(window.panel._view.messages) - 1)  # type: ignore[union-attr]
    assert "Two photos attached." in reply
    assert "arm.png — PNG picture" in reply and "close-up.png — PNG picture" in reply


def test_a_specialist_saves_inserts_and_deletes_a_snippet(
    open_window: OpenWindow, workspace: Workspace
) -> None:
    cid = _unclaimed_in_queue(workspace)
    window = open_window(DEMO_SPECIALIST)
    _show(window, cid)
    composer = window.panel.composer
    picker = composer.snippets
    assert picker.combo.count() == 1  # only "Insert a snippet…"
    composer.text.setPlainText("Benign; reassure and discharge.")
    assert picker.add("Reassure", picker.text_to_save())
    assert not picker.add("", "words")  # no title: refused, and said why
    assert "title" in composer.problem.text()
    assert picker.titles() == ["Reassure"]
    composer.text.clear()
    picker.choose("Reassure")
    assert composer.text.toPlainText() == "Benign; reassure and discharge."
    assert picker.combo.currentIndex() == 0  # back to "Insert a snippet…"

    colleague_view = open_window(DEMO_SPECIALIST).panel.composer.snippets
    assert colleague_view.titles() == ["Reassure"]  # the same specialist, another window
    picker.delete("Reassure")
    assert picker.titles() == [] and picker.combo.count() == 1


def test_a_gp_cancels_a_request_and_discards_a_draft(
    open_window: OpenWindow, workspace: Workspace
) -> None:
    from tests.services.test_requests import FORM

    window = open_window(workspace.user.username)
    sent = _of_practice_in(workspace, Status.AWAITING_SPECIALIST)
    _show(window, sent)
    assert window.panel.cancel_button.text() == "Cancel re&quest…"
    assert window.panel.cancel_request("Seen in a private clinic.")
    assert _status(workspace, sent).status == Status.CANCELLED
    assert _queued(workspace)[-1] == (
        "conversation.cancel",
        {"reason": "Seen in a private clinic."},
    )
    assert not window.panel.cancel_button.isEnabled()  # it has ended

    draft = workspace.requests.save_draft(workspace.user.id, FORM)
    window.refresh()
    _show(window, draft)
    assert window.panel.cancel_button.text() == "&Discard draft…"
    assert window.panel.cancel_request("")
    assert window.model.row_of(draft) is None and window.panel.conversation_id is None
    assert "Draft discarded." in window.statusBar().currentMessage()


def test_a_reply_takes_a_file_under_a_safe_name_and_says_so(
    qtbot: QtBot, open_window: OpenWindow, workspace: Workspace, tmp_path: Path
) -> None:
    cid = _of_practice_in(workspace, Status.MORE_INFO_REQUESTED)
    window = open_window(workspace.user.username)
    _show(window, cid)
    composer = window.panel.composer
    tricky = tmp_path / "arm\u202egnp.exe"
    tricky.write_bytes(_png())
    assert composer.files.add_paths([tricky]) == ["armgnp.exe"]
    assert composer.notice.isVisible() and not composer.problem.isVisible()
    assert "'arm?gnp.exe' is attached as 'armgnp.exe'" in composer.notice.text()
    [button] = composer.files.buttons
    assert button.toolTip().startswith("armgnp.exe — PNG picture, ")  # the real type


def _panel(
    qtbot: QtBot,
    workspace: Workspace,
    now: datetime,
    settings: QSettings | None = None,
    height: int = 600,
) -> ConversationPanel:
    """The panel on its own, 700 px wide and ``height`` tall, shown."""
    panel = ConversationPanel(workspace, lambda: now, settings=settings)
    qtbot.addWidget(panel)
    panel.resize(700, height)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_the_split_between_thread_and_composer_is_kept_for_next_time(
    qtbot: QtBot, workspace: Workspace, settings: QSettings, now: datetime
) -> None:
    cid = _of_practice_in(workspace, Status.MORE_INFO_REQUESTED)
    panel = _panel(qtbot, workspace, now, settings=settings)
    panel.show_conversation(cid)
    assert panel.composer.isVisible()
    first = panel.splitter.sizes()
    panel.splitter.moveSplitter(first[0] - 120, 1)  # the GP drags the handle up
    moved = panel.splitter.sizes()
    assert moved[1] > first[1] + 100
    panel.close()

    again = _panel(qtbot, workspace, now, settings=settings)
    again.show_conversation(cid)
    assert again.splitter.sizes() == moved


def _add_messages(workspace: Workspace, cid: str, *written: tuple[str, str, str]) -> None:
    """Messages (author's username, kind, body) added to ``cid`` an hour apart, as a sync
    would bring them."""
    with workspace.store.session() as session:
        start = max(m.created_at for m in session.get(Conversation, cid).messages)  # type: ignore[union-attr]
        for hours, (username, kind, body) in enumerate(written, start=1):
            author = session.scalar(select(User).where(User.username == username))
            assert author is not None
            session.add(
                Message(
                    id=str(uuid.uuid4()),
                    conversation_id=cid,
                    author_id=author.id,
                    author_role=author.role,
                    kind=kind,
                    body=body,
                    created_at=start + timedelta(hours=hours),
                )
            )


def _in_view(panel: ConversationPanel, text: str) -> bool:
    """Whether the start of ``text`` in the thread is inside the thread's visible part."""
    viewer = panel.viewer
    found = viewer.document().find(text)
    assert not found.isNull(), f"{text!r} is not in the thread"
    found.setPosition(found.selectionStart())
    return viewer.viewport().rect().contains(viewer.cursorRect(found))


def test_a_gp_opens_a_long_thread_at_the_specialists_question(
    qtbot: QtBot, workspace: Workspace, now: datetime
) -> None:
    cid = _of_practice_in(workspace, Status.MORE_INFO_REQUESTED)
    back_and_forth = [
        (DEMO_SPECIALIST, "question", f"Question {n}: more detail please.")
        if n % 2
        else (workspace.user.username, "reply", f"Answer {n}: here it is.\nAnd more.")
        for n in range(1, 12)
    ]
    asked = "Has the lesion bled since? Please send a dermoscopy photo."
    _add_messages(workspace, cid, *back_and_forth, (DEMO_SPECIALIST, "question", asked))
    panel = _panel(qtbot, workspace, now, height=420)
    panel.show_conversation(cid)
    qtbot.waitUntil(lambda: _in_view(panel, asked))
    assert panel.viewer.height() < 300  # a small pane over the composer
    assert panel.viewer.verticalScrollBar().value() > 0
    assert not _in_view(panel, "Patient")


def test_a_specialist_opens_a_new_request_at_its_question(
    qtbot: QtBot, workspace: Workspace, now: datetime
) -> None:
    cid = _unclaimed_in_queue(workspace)
    question = "Is this plaque psoriasis or eczema, and what should I try next?"
    _set(workspace, cid, question=question, clinical_summary="Itchy.\n" * 20)
    specialist = load_user(workspace.store, DEMO_SPECIALIST)
    ws = Workspace.for_user(workspace.store, specialist, workspace.catalogue, workspace.targets)
    panel = _panel(qtbot, ws, now, height=330)
    panel.show_conversation(cid)
    qtbot.waitUntil(lambda: _in_view(panel, question))
    assert panel.viewer.verticalScrollBar().value() > 0


def test_a_conversation_shown_again_stays_where_the_reader_was(
    qtbot: QtBot, workspace: Workspace, now: datetime
) -> None:
    cid = _of_practice_in(workspace, Status.MORE_INFO_REQUESTED)
    questions = [(DEMO_SPECIALIST, "question", f"Q{n}.\n" * 5) for n in range(8)]
    _add_messages(workspace, cid, *questions)
    panel = _panel(qtbot, workspace, now, height=420)
    panel.show_conversation(cid)
    bar = panel.viewer.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() > 0)  # at the newest question
    bar.setValue(bar.value() // 2)  # the GP scrolls back up to read
    read_at = bar.value()
    panel.refresh()  # after a sync
    assert bar.value() == read_at


def test_each_file_is_shown_with_the_message_it_came_with(
    qtbot: QtBot, workspace: Workspace, now: datetime
) -> None:
    from tests.attachment_files import letter_pdf
    from tests.services.test_requests import FORM

    draft = workspace.requests.save_draft(workspace.user.id, FORM)
    workspace.requests.attach(draft, "left-arm.png", _png())
    workspace.requests.submit(workspace.user.id, FORM, draft)
    _set(workspace, draft, status="awaiting_specialist")
    user = load_user(workspace.store, DEMO_SPECIALIST)
    specialist = Workspace.for_user(
        workspace.store, user, workspace.catalogue, workspace.targets, lambda: now
    )
    specialist.composer.add_file(draft, "clinic-letter.pdf", letter_pdf())
    specialist.actions.respond(
        specialist.user,
        draft,
        SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE,
        "Benign naevus: see the letter.",
        Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED,
    )
    panel = _panel(qtbot, workspace, now)
    panel.show_conversation(draft)
    request, advice = _message_text(panel.viewer, 0), _message_text(panel.viewer, 1)
    assert "Is this pigmented lesion" in request and "Benign naevus" in advice
    assert "left-arm.png — PNG picture" in request and "clinic-letter" not in request
    assert "clinic-letter.pdf — PDF document" in advice and "left-arm" not in advice
    before_thread = panel.viewer.toPlainText().split("Messages")[0]
    assert "left-arm.png" in before_thread and "clinic-letter" not in before_thread
    preview = _click_link(qtbot, panel.viewer, "clinic-letter.pdf — PDF document")
    assert preview.file.filename == "clinic-letter.pdf"
    preview.close()
