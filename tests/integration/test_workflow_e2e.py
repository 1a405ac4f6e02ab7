"""A whole A&G conversation through the real windows of two desks and the real hub.

A GP sends a dermatology request with a photo; a specialist, on another computer with
its own store, claims it and asks for more information; the GP replies; the specialist
advises; the GP closes it as managed in primary care, and the hub counts a referral
avoided. Each step goes through the windows' own buttons and composer and the sync
worker, on the hub's SQLite and on PostgreSQL. Then the hard parts: work done while the
hub is down, two specialists claiming the same request, and the app closed mid-sentence.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSettings, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bhcp_ag.domain.conversation import (
    AdviceUseful,
    ClosingOutcome,
    Recommendation,
    SpecialistOutcome,
    Status,
)
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.domain.targets import ResponseTargets
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.models import Attachment as HubAttachment
from bhcp_ag.hub.models import Conversation as HubConversation
from bhcp_ag.hub.models import Message as HubMessage
from bhcp_ag.services.workspace import Workspace
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.outcome_dialogs import CloseConversationDialog
from tests.integration.conftest import SECOND_DERMATOLOGIST
from tests.integration.test_app_with_hub import (
    SYNC_TIMEOUT_MS,
    Desk,
    click,
    memory_tokens,
    new_desk,
    open_signed_in,
    synced_with_nothing_waiting,
    write_dermatology_request,
)

__all__ = ["new_desk"]  # the fixture, used here by name

NewDesk = Callable[..., Desk]


def photo(tmp_path: Path, name: str = "elbow.png", colour: str = "#c98f7a") -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    path = tmp_path / name
    path.write_bytes(bytes(data.data()))
    return path


def sync_and_wait(qtbot: QtBot, window: MainWindow) -> None:
    window.sync_now_action.trigger()
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(window), timeout=SYNC_TIMEOUT_MS)


def show(qtbot: QtBot, window: MainWindow, conversation_id: str) -> None:
    """Bring the conversation into the window (syncing until it is there) and select it."""
    window.filter_bar.status.setCurrentIndex(0)  # All
    qtbot.waitUntil(
        lambda: window.model.row_of(conversation_id) is not None, timeout=SYNC_TIMEOUT_MS
    )
    assert window.select_conversation(conversation_id)


def wait_for_status(qtbot: QtBot, window: MainWindow, cid: str, status: Status) -> None:
    """Sync until the window's store has the conversation in ``status``."""

    def arrived() -> bool:
        if window.panel.conversation_id != cid:
            window.select_conversation(cid)
        view = window.panel._view
        return view is not None and view.status == status

    def check() -> bool:
        if arrived():
            return True
        window.sync_now_action.trigger()
        return False

    qtbot.waitUntil(check, timeout=SYNC_TIMEOUT_MS)


def hub_conversation(hub_db: HubDatabase, cid: str) -> HubConversation:
    with hub_db.transaction() as session:
        conv = session.get(HubConversation, cid)
        assert conv is not None
        session.expunge(conv)
        return conv


def hub_attachments(hub_db: HubDatabase, cid: str) -> list[tuple[str, str]]:
    """(file name, kind of the message it came with) of a conversation's files at the hub."""
    with hub_db.transaction() as session:
        rows = session.execute(
            select(HubAttachment.filename, HubMessage.kind)
            .join(HubMessage, HubMessage.id == HubAttachment.message_id)
            .where(HubAttachment.conversation_id == cid)
            .order_by(HubMessage.created_at)
        )
        return [(name, kind) for name, kind in rows]


def send_request(qtbot: QtBot, window: MainWindow, attachment: Path) -> str:
    form = window.open_new_request()
    qtbot.waitExposed(form)
    write_dermatology_request(qtbot, form)
    assert form.attach_files([attachment]) == [attachment.name]
    with qtbot.waitSignal(form.finished):
        click(qtbot, form.send_button)
    assert form.conversation_id is not None
    return form.conversation_id


def test_a_whole_conversation_ends_as_a_referral_avoided(
    qtbot: QtBot, hub_server: str, hub_db: HubDatabase, new_desk: NewDesk, tmp_path: Path
) -> None:
    gp = open_signed_in(qtbot, new_desk(hub_server, "gp", memory_tokens(hub_server)), "demo.gp")
    desk = new_desk(hub_server, "specialist", memory_tokens(hub_server))
    specialist = open_signed_in(qtbot, desk, "demo.specialist")

    cid = send_request(qtbot, gp, photo(tmp_path))
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(gp), timeout=SYNC_TIMEOUT_MS)
    assert hub_conversation(hub_db, cid).status == Status.AWAITING_SPECIALIST

    # The specialist sees it with its photo, claims it and asks for more.
    sync_and_wait(qtbot, specialist)
    show(qtbot, specialist, cid)
    panel = specialist.panel
    assert [a.filename for a in panel._view.attachments] == ["elbow.png"]  # type: ignore[union-attr]
    click(qtbot, panel.claim_button)
    composer = panel.composer
    qtbot.keyClicks(composer.text, "How large are the plaques, and do the nails pit?")
    click(qtbot, composer.outcome_buttons[SpecialistOutcome.REQUIRE_FURTHER_INFORMATION])
    click(qtbot, composer.send_button)
    sync_and_wait(qtbot, specialist)
    at_hub = hub_conversation(hub_db, cid)
    assert at_hub.status == Status.MORE_INFO_REQUESTED
    assert at_hub.claimed_by_id is not None and at_hub.first_response_at is not None

    # The GP replies, with a photo of the nails.
    wait_for_status(qtbot, gp, cid, Status.MORE_INFO_REQUESTED)
    assert gp.panel.composer.isVisible()
    qtbot.keyClicks(gp.panel.composer.text, "About 3 cm each; no nail pitting.")
    nails = photo(tmp_path, "nails.png")
    assert gp.panel.composer.files.add_paths([nails]) == ["nails.png"]
    click(qtbot, gp.panel.composer.send_button)
    sync_and_wait(qtbot, gp)
    assert hub_conversation(hub_db, cid).status == Status.AWAITING_SPECIALIST
    assert hub_attachments(hub_db, cid) == [("elbow.png", "request"), ("nails.png", "reply")]

    # The specialist advises, with a recommendation.
    wait_for_status(qtbot, specialist, cid, Status.AWAITING_SPECIALIST)
    qtbot.waitUntil(lambda: "no nail pitting" in panel.viewer.toPlainText())
    thread = panel.viewer.toPlainText()  # each photo with the message it came with
    assert thread.index("elbow.png — PNG picture") < thread.index("no nail pitting")
    assert thread.index("no nail pitting") < thread.index("nails.png — PNG picture")
    qtbot.keyClicks(composer.text, "Plaque psoriasis: potent steroid and vitamin D for 4 weeks.")
    click(qtbot, composer.outcome_buttons[SpecialistOutcome.RETURN_TO_REFERRER_WITH_ADVICE])
    composer.choose_recommendation(Recommendation.ADVICE_ONLY_NO_REFERRAL_RECOMMENDED)
    click(qtbot, composer.send_button)
    sync_and_wait(qtbot, specialist)

    # The GP reads the advice and closes, through the dialog, as managed at the practice.
    wait_for_status(qtbot, gp, cid, Status.ADVICE_RETURNED)
    assert "vitamin D" in gp.panel.viewer.toPlainText()

    def choose_managed() -> None:
        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, CloseConversationDialog)
        )
        dialog.buttons[ClosingOutcome.MANAGED_IN_PRIMARY_CARE].click()
        assert not dialog.ok.isEnabled()  # whether the advice was useful is still to say
        dialog.useful_buttons[AdviceUseful.YES].click()
        dialog.ok.click()

    QTimer.singleShot(0, choose_managed)
    click(qtbot, gp.panel.close_button)
    sync_and_wait(qtbot, gp)
    closed = hub_conversation(hub_db, cid)
    assert (closed.status, closed.closing_outcome) == (Status.CLOSED, "managed_in_primary_care")
    assert closed.referral_avoided is True
    text = gp.panel.copy_as_text()
    assert "Plaque psoriasis" in text and "Outcome: Managed in primary care" in text


def test_work_done_while_the_hub_is_down_goes_when_it_is_back(
    qtbot: QtBot, hub_server: str, hub_db: HubDatabase, new_desk: NewDesk, tmp_path: Path
) -> None:
    desk = new_desk(hub_server, "gp", memory_tokens(hub_server))
    gp = open_signed_in(qtbot, desk, "demo.gp")
    specialist = open_signed_in(
        qtbot, new_desk(hub_server, "sp", memory_tokens(hub_server)), "demo.specialist"
    )
    cid = send_request(qtbot, gp, photo(tmp_path))
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(gp), timeout=SYNC_TIMEOUT_MS)
    sync_and_wait(qtbot, specialist)
    show(qtbot, specialist, cid)
    specialist.panel.respond(SpecialistOutcome.REQUIRE_FURTHER_INFORMATION, "Photo of nails?")
    sync_and_wait(qtbot, specialist)
    wait_for_status(qtbot, gp, cid, Status.MORE_INFO_REQUESTED)

    engine = desk.session.hub.engine
    real_url = engine.client.base_url
    engine.client.base_url = "http://127.0.0.1:9"  # the network is down: nothing listens
    try:
        assert gp.panel.reply("Nails normal, photo taken.")
        assert gp.panel._view is not None
        assert gp.panel._view.status == Status.AWAITING_SPECIALIST  # at once, locally
        gp.sync_now_action.trigger()
        qtbot.waitUntil(
            lambda: (
                gp.sync_status.status.changes_waiting == 1
                and gp.sync_status.status.state.name == "OFFLINE"
            ),
            timeout=SYNC_TIMEOUT_MS,
        )
        assert hub_conversation(hub_db, cid).status == Status.MORE_INFO_REQUESTED
    finally:
        engine.client.base_url = real_url
    sync_and_wait(qtbot, gp)
    assert hub_conversation(hub_db, cid).status == Status.AWAITING_SPECIALIST


def test_two_specialists_claim_at_once_and_the_second_is_told_who_won(
    qtbot: QtBot,
    hub_server: str,
    hub_db: HubDatabase,
    new_desk: NewDesk,
    more_users: tuple[str, str, str],
    tmp_path: Path,
) -> None:
    gp = open_signed_in(qtbot, new_desk(hub_server, "gp", memory_tokens(hub_server)), "demo.gp")
    first = open_signed_in(
        qtbot, new_desk(hub_server, "first", memory_tokens(hub_server)), "demo.specialist"
    )
    second = open_signed_in(
        qtbot, new_desk(hub_server, "second", memory_tokens(hub_server)), SECOND_DERMATOLOGIST
    )
    cid = send_request(qtbot, gp, photo(tmp_path))
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(gp), timeout=SYNC_TIMEOUT_MS)
    for window in (first, second):
        sync_and_wait(qtbot, window)
        show(qtbot, window, cid)
        assert window.panel.claim_button.isEnabled()
    # Both claim before either has synced; the first to reach the hub wins.
    assert first.panel.claim()
    assert second.panel.claim()
    qtbot.keyClicks(second.panel.composer.text, "Started writing before the news")
    sync_and_wait(qtbot, first)
    sync_and_wait(qtbot, second)

    def told_who_won() -> bool:  # the refusal arrives by a queued signal of its own
        box = second.rejections.box
        return box is not None and "Dr Rohan Mehta claimed this request" in box.text()

    qtbot.waitUntil(told_who_won, timeout=SYNC_TIMEOUT_MS)
    qtbot.waitUntil(lambda: second.panel.claim_label.text() == "Claimed by Dr Rohan Mehta")
    assert not second.panel.claim_button.isEnabled()
    assert not second.panel.composer.isVisible()
    kept = second.panel._workspace.composer.load(cid)
    assert kept is not None and kept.body == "Started writing before the news"
    assert hub_conversation(hub_db, cid).claimed_by_id == first.panel._workspace.user.id


def test_a_question_that_lost_the_race_comes_back_with_its_file(
    qtbot: QtBot,
    hub_server: str,
    hub_db: HubDatabase,
    new_desk: NewDesk,
    more_users: tuple[str, str, str],
    tmp_path: Path,
) -> None:
    gp = open_signed_in(qtbot, new_desk(hub_server, "gp", memory_tokens(hub_server)), "demo.gp")
    first = open_signed_in(
        qtbot, new_desk(hub_server, "first", memory_tokens(hub_server)), "demo.specialist"
    )
    desk = new_desk(hub_server, "second", memory_tokens(hub_server))
    second = open_signed_in(qtbot, desk, SECOND_DERMATOLOGIST)
    cid = send_request(qtbot, gp, photo(tmp_path))
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(gp), timeout=SYNC_TIMEOUT_MS)
    for window in (first, second):
        sync_and_wait(qtbot, window)
        show(qtbot, window, cid)

    # The second asks for a photo, with an example, while their hub is out of reach...
    composer = second.panel.composer
    words = "Could you send a photo of the nails, framed like this example?"
    engine = desk.session.hub.engine
    real_url = engine.client.base_url
    engine.client.base_url = "http://127.0.0.1:9"  # the network is down: nothing listens
    try:
        qtbot.keyClicks(composer.text, words)
        example = photo(tmp_path, "nail-example.png", "#7a8fc9")
        assert composer.files.add_paths([example]) == ["nail-example.png"]
        click(qtbot, composer.outcome_buttons[SpecialistOutcome.REQUIRE_FURTHER_INFORMATION])
        click(qtbot, composer.send_button)
        qtbot.waitUntil(
            lambda: (
                second.sync_status.status.changes_waiting == 1
                and second.sync_status.status.state.name == "OFFLINE"
            ),
            timeout=SYNC_TIMEOUT_MS,
        )
        # ...and meanwhile the first claims it.
        assert first.panel.claim()
        sync_and_wait(qtbot, first)
    finally:
        engine.client.base_url = real_url
    sync_and_wait(qtbot, second)
    qtbot.waitUntil(
        lambda: (
            second.rejections.box is not None
            and "Dr Rohan Mehta claimed this request" in second.rejections.box.text()
        ),
        timeout=SYNC_TIMEOUT_MS,
    )
    assert hub_attachments(hub_db, cid) == [("elbow.png", "request")]

    # The first releases it; the second finds their question and its file waiting.
    assert first.panel.release()
    sync_and_wait(qtbot, first)

    def back_in_the_composer() -> bool:
        if composer.isVisible():
            return True
        second.sync_now_action.trigger()
        return False

    qtbot.waitUntil(back_in_the_composer, timeout=SYNC_TIMEOUT_MS)
    assert composer.text.toPlainText() == words
    assert composer.files.names() == ["nail-example.png"]
    problem = composer.problem.text()
    assert "Dr Rohan Mehta claimed this request" in problem
    assert "Your words and nail-example.png are back here" in problem
    click(qtbot, composer.outcome_buttons[SpecialistOutcome.REQUIRE_FURTHER_INFORMATION])
    click(qtbot, composer.send_button)
    sync_and_wait(qtbot, second)
    assert hub_attachments(hub_db, cid) == [
        ("elbow.png", "request"),
        ("nail-example.png", "question"),
    ]
    assert hub_conversation(hub_db, cid).status == Status.MORE_INFO_REQUESTED


def test_closing_the_app_mid_reply_loses_nothing(
    qtbot: QtBot, hub_server: str, new_desk: NewDesk, tmp_path: Path
) -> None:
    gp = open_signed_in(qtbot, new_desk(hub_server, "gp", memory_tokens(hub_server)), "demo.gp")
    desk = new_desk(hub_server, "sp", memory_tokens(hub_server))
    specialist = open_signed_in(qtbot, desk, "demo.specialist")
    cid = send_request(qtbot, gp, photo(tmp_path))
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(gp), timeout=SYNC_TIMEOUT_MS)
    sync_and_wait(qtbot, specialist)
    show(qtbot, specialist, cid)
    qtbot.keyClicks(specialist.panel.composer.text, "Half a thought about steroids")
    desk.session.shutdown()  # the app closes at once (no time for the autosave timer)

    # The next start, on the same store: the words are where they were left.
    workspace = Workspace.open(
        desk.store, "demo.specialist", SpecialtyCatalogue.load(), ResponseTargets.load()
    )
    again = MainWindow(
        workspace, settings=QSettings(str(tmp_path / "again.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(again)
    again.show()
    show(qtbot, again, cid)
    assert again.panel.composer.text.toPlainText() == "Half a thought about steroids"
    again.close()


def test_closing_the_app_mid_request_keeps_the_draft(
    qtbot: QtBot, hub_server: str, new_desk: NewDesk
) -> None:
    desk = new_desk(hub_server, "gp", memory_tokens(hub_server))
    gp = open_signed_in(qtbot, desk, "demo.gp")
    form = gp.open_new_request()
    qtbot.waitExposed(form)
    write_dermatology_request(qtbot, form)
    form.autosave_timer.stop()  # closed before the autosave timer would fire
    desk.session.shutdown()

    catalogue, targets = SpecialtyCatalogue.load(), ResponseTargets.load()
    workspace = Workspace.open(desk.store, "demo.gp", catalogue, targets)
    assert form.conversation_id is not None
    kept = workspace.requests.load_form(form.conversation_id)
    assert kept.question.startswith("Is this eczema or psoriasis")
    assert kept.template_answers["lesion_site"] == "Both elbows"
    assert kept.template_answers["photo_attached"] == "No photo"  # the last thing done
