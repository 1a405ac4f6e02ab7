"""The whole desktop against the real hub: windows, sign-in, sync worker and keyring.

Each desk is what the composition root builds on one computer (``bhcp_ag.app``): its own
store, :class:`HubConnection` (client, token store, engine) and :class:`DesktopSession`
(main window, sync worker). A GP sends a request through the real form; a specialist's
window, on another desk, syncs and lists it. The embedded hub starts and stops from the
composition root's own code, and the sign-in token goes to a real Secret Service when
one runs (``dbus-run-session``; the daemon is started as in ``test_keyring.py``).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
import requests
from keyring.backends import SecretService, fail
from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from bhcp_ag.app import HUB_URL_ENV, HUB_URL_KEY, DesktopSession, HubConnection, connect_hub
from bhcp_ag.domain.organisation import Organisation
from bhcp_ag.domain.specialties import SpecialtyCatalogue
from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.hub.models import Token
from bhcp_ag.store.db import Store
from bhcp_ag.store.reference import seed_reference_data
from bhcp_ag.sync.credentials import NO_KEYRING_MESSAGE, TokenStore
from bhcp_ag.sync.report import SyncState
from bhcp_ag.ui.conversation_model import Column
from bhcp_ag.ui.main_window import MainWindow
from bhcp_ag.ui.request_form import RequestForm
from bhcp_ag.ui.sign_in import SignInDialog
from tests.integration import test_keyring as keyring_fixtures
from tests.integration.conftest import CLIENT_HEADERS

secret_service = keyring_fixtures.secret_service  # a real gnome-keyring on the session bus

MakeStore = Callable[[Path], Store]
QUESTION = "Is this eczema or psoriasis, and what should we try next?"
SYNC_TIMEOUT_MS = 20_000


@dataclass
class Desk:
    """One computer: a store, its hub connection and the composition root's session."""

    store: Store
    hub: HubConnection
    session: DesktopSession

    @property
    def window(self) -> MainWindow:
        assert self.session.window is not None
        return self.session.window

    def close(self) -> None:
        self.session.shutdown()
        self.session.hub.close()  # the hub it signed in to last
        if self.hub is not self.session.hub:
            self.hub.close()
        self.store.close()


@pytest.fixture
def new_desk(
    make_store: MakeStore,
    tmp_path: Path,
    organisation: Organisation,
    catalogue: SpecialtyCatalogue,
) -> Iterator[Callable[..., Desk]]:
    """``new_desk(url, name, tokens=None)``: a desk on a fresh store (not signed in yet)."""
    desks: list[Desk] = []

    def new(url: str, name: str, tokens: TokenStore | None = None) -> Desk:
        store = make_store(tmp_path / f"{name}-{len(desks)}.sqlite3")
        with store.session() as session:
            seed_reference_data(session, organisation, catalogue)
        hub = HubConnection.open(store, url, tokens=tokens)
        settings = QSettings(str(tmp_path / f"{name}-{len(desks)}.ini"), QSettings.Format.IniFormat)

        def connect(address: str) -> HubConnection:  # another hub typed in the dialog
            kept = memory_tokens(address) if tokens is not None else None
            return HubConnection.open(store, address, tokens=kept)

        desk = Desk(store, hub, DesktopSession(store, hub, settings=settings, connect=connect))
        desks.append(desk)
        return desk

    yield new
    for desk in desks:
        desk.close()


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """This computer has no keyring: ``keyring``'s own choice is its ``fail`` backend."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def memory_tokens(url: str) -> TokenStore:
    return TokenStore(url, backend=fail.Keyring())


def shown_dialog() -> SignInDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog)]
    return next((w for w in found if w.isVisible()), None)


def sign_in_through_the_dialog(
    qtbot: QtBot, username: str, notes: list[str] | None = None
) -> Callable[[], None]:
    """What the user does in the sign-in dialog, to run while ``ask`` shows it.

    The keyring note, when the dialog shows one before "Continue", goes to ``notes``.
    """

    def act() -> None:
        dialog = shown_dialog()
        assert dialog is not None, "the sign-in dialog was expected"
        dialog.username.setText(username)
        qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
        dialog.sign_in_button.click()
        qtbot.waitUntil(
            lambda: dialog.session is not None or not dialog.isVisible(), timeout=10_000
        )
        if dialog.isVisible():  # the keyring note: "Continue"
            if notes is not None:
                notes.append(dialog.keyring_note.text())
            dialog.sign_in_button.click()

    return act


def open_signed_in(
    qtbot: QtBot, desk: Desk, username: str, notes: list[str] | None = None
) -> MainWindow:
    """Sign in through the real dialog and open the main window, as ``bhcp-ag`` does."""
    QTimer.singleShot(0, sign_in_through_the_dialog(qtbot, username, notes))
    assert desk.session.sign_in_and_open()
    qtbot.waitExposed(desk.window)
    return desk.window


# --- filling the real request form ------------------------------------------------------


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    form = button.window()
    inside = form.scroll_area.widget() if isinstance(form, RequestForm) else None
    if isinstance(form, RequestForm) and inside is not None and inside.isAncestorOf(button):
        form.scroll_area.ensureWidgetVisible(button)
    if button.isCheckable():
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(6, button.height() // 2))
    else:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def write_dermatology_request(qtbot: QtBot, form: RequestForm) -> None:
    qtbot.keyClicks(form.specialty.edit, "330")
    qtbot.keyClick(form.specialty.edit, Qt.Key.Key_Return)
    fields = form.fields
    qtbot.keyClicks(fields.nhs_number.edit, "943 476 5919")
    qtbot.keyClicks(fields.family_name.edit, "Capstick")
    qtbot.keyClicks(fields.given_name.edit, "Jean")
    qtbot.keyClicks(fields.birth_date.edit, "14/03/1958")
    fields.sex.combo.setCurrentIndex(fields.sex.combo.findData("female"))
    qtbot.keyClicks(fields.texts["question"].edit, QUESTION)
    qtbot.keyClicks(fields.texts["clinical_summary"].edit, "Itchy plaques on both elbows.")
    click(qtbot, fields.would_have_referred.buttons["yes"])
    click(qtbot, fields.convert.buttons["NOT_AUTHORISED_TO_CONVERT"])
    rows = fields.template.rows
    qtbot.keyClicks(rows["lesion_site"].input.focus_widgets[0], "Both elbows")
    rows["problem_type"].input.set_value("Rash")
    qtbot.keyClicks(rows["duration"].input.focus_widgets[0], "3 months")
    click(qtbot, rows["changes"].input.boxes["None"])  # type: ignore[attr-defined]
    qtbot.keyClicks(rows["treatments_tried"].input.focus_widgets[0], "Emollients, 6 weeks")
    rows["photo_attached"].input.set_value("No photo")


def synced_with_nothing_waiting(window: MainWindow) -> bool:
    status = window.sync_status.status
    return status.state is SyncState.SYNCED and status.changes_waiting == 0


# --- the tests ------------------------------------------------------------------------------


def test_a_gp_request_reaches_the_specialists_window(
    qtbot: QtBot, hub_server: str, new_desk: Callable[..., Desk]
) -> None:
    gp = new_desk(hub_server, "gp", memory_tokens(hub_server))
    specialist = new_desk(hub_server, "specialist", memory_tokens(hub_server))
    gp_window = open_signed_in(qtbot, gp, "demo.gp")
    specialist_window = open_signed_in(qtbot, specialist, "demo.specialist")
    assert gp_window.windowTitle() == "Dr Amelia Hart (GP) — Advice and Guidance"
    assert "Dr Rohan Mehta" in specialist_window.windowTitle()
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(specialist_window), timeout=SYNC_TIMEOUT_MS)

    form = gp_window.open_new_request()
    qtbot.waitExposed(form)
    write_dermatology_request(qtbot, form)
    with qtbot.waitSignal(form.finished):
        click(qtbot, form.send_button)
    sent_id = form.conversation_id
    assert sent_id is not None and gp_window.selected_conversation_id() == sent_id
    # Sending asks the worker for a cycle: the request goes to the hub without a click.
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(gp_window), timeout=SYNC_TIMEOUT_MS)
    assert gp_window.sync_status.text().startswith("Up to date · last synced ")
    assert gp_window.selected_conversation_id() == sent_id  # kept through the refresh

    assert specialist_window.model.row_of(sent_id) is None
    specialist_window.sync_now_action.trigger()  # F5
    qtbot.waitUntil(
        lambda: specialist_window.model.row_of(sent_id) is not None, timeout=SYNC_TIMEOUT_MS
    )
    row = specialist_window.model.row_of(sent_id)
    assert row is not None
    assert specialist_window.model.index(row, Column.QUESTION).data() == QUESTION
    # The specialist is told, without the patient's details; a click shows the request.
    notifier = specialist.session.notifier
    assert notifier is not None
    qtbot.waitUntil(lambda: notifier.last_text is not None, timeout=SYNC_TIMEOUT_MS)
    assert notifier.last_text == "Dermatology: new advice request"
    assert gp.session.notifier is not None and gp.session.notifier.last_text is None
    notifier.activated.emit(sent_id)  # as a click on the notification does
    assert specialist_window.selected_conversation_id() == sent_id


def test_typing_another_hub_moves_the_app_there_and_remembers_it(
    qtbot: QtBot,
    hub_server: str,
    new_desk: Callable[..., Desk],
    add_conversation: Callable[..., str],
) -> None:
    waiting = add_conversation("BAY001", "330")  # at the hub typed in, for demo.gp
    with socket.socket() as probe:  # the hub the app started with, not there any more
        probe.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{probe.getsockname()[1]}"
    desk = new_desk(gone, "mover", memory_tokens(gone))
    first_worker = desk.session.worker

    def type_the_real_hub() -> None:
        dialog = shown_dialog()
        assert dialog is not None and dialog.hub.text() == gone
        dialog.hub.selectAll()
        qtbot.keyClicks(dialog.hub, hub_server)

    QTimer.singleShot(0, type_the_real_hub)
    window = open_signed_in(qtbot, desk, "demo.gp")
    assert desk.session.hub.url == hub_server and desk.session.hub is not desk.hub
    assert desk.session.worker is not first_worker
    assert desk.session.settings.value(HUB_URL_KEY) == hub_server
    # The hub signed in to's conversations (the list is read again once the cycle's report
    # arrives, which may be a moment after its "synced" status).
    qtbot.waitUntil(lambda: window.model.row_of(waiting) is not None, timeout=SYNC_TIMEOUT_MS)


@pytest.mark.usefixtures("no_keyring")
def test_the_embedded_hub_starts_and_stops_from_the_composition_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_store: Store
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("BHCP_AG_DATA_DIR", str(data))
    monkeypatch.delenv(HUB_URL_ENV, raising=False)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)

    hub = connect_hub(seeded_store, None, settings)
    assert hub.embedded is not None and hub.url == hub.embedded.url
    assert hub.url.startswith("http://127.0.0.1:")
    assert (data / "hub.sqlite3").exists()
    hub.engine.sign_in("demo.gp", DEMO_PASSWORD)  # the demo accounts are there
    assert hub.engine.sync_once().state is SyncState.SYNCED
    port = hub.embedded.port
    hub.close()
    assert not hub.embedded.running
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass

    again = connect_hub(seeded_store, None, settings)  # the next start: same address
    try:
        assert again.embedded is not None and again.embedded.port == port
        assert again.engine.sign_in("demo.specialist", DEMO_PASSWORD).user.role == "specialist"
    finally:
        again.close()
    assert not again.embedded.running


@pytest.mark.usefixtures("no_keyring")
def test_a_configured_hub_is_used_instead_of_the_embedded_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeded_store: Store
) -> None:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    settings.setValue(HUB_URL_KEY, "https://hub.bay.example")
    monkeypatch.setenv(HUB_URL_ENV, "https://env.bay.example")
    given = connect_hub(seeded_store, "https://given.bay.example", settings)
    from_env = connect_hub(seeded_store, None, settings)
    monkeypatch.delenv(HUB_URL_ENV)
    from_settings = connect_hub(seeded_store, None, settings)
    for hub in (given, from_env, from_settings):
        assert hub.embedded is None
        hub.close()
    assert [given.url, from_env.url, from_settings.url] == [
        "https://given.bay.example",
        "https://env.bay.example",
        "https://hub.bay.example",
    ]


def test_the_token_kept_in_the_secret_service_skips_the_next_sign_in(
    qtbot: QtBot, secret_service: Path, hub_server: str, new_desk: Callable[..., Desk]
) -> None:
    first = new_desk(hub_server, "first")  # the keyring's own choice: the Secret Service
    open_signed_in(qtbot, first, "demo.gp")
    tokens = first.hub.engine.credentials
    assert tokens is not None and tokens.persistent and tokens.message is None
    assert isinstance(tokens._backend, SecretService.Keyring)
    first.session.shutdown()

    second = new_desk(hub_server, "second")  # the next start: nothing in memory
    second.session._username_hint = "demo.gp"
    dialogs: list[SignInDialog] = []

    def refuse_any_dialog() -> None:
        dialog = shown_dialog()
        if dialog is not None:
            dialogs.append(dialog)
            dialog.reject()

    QTimer.singleShot(0, refuse_any_dialog)
    assert second.session.sign_in_and_open()
    assert dialogs == []
    assert second.window.windowTitle().startswith("Dr Amelia Hart")
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(second.window), timeout=SYNC_TIMEOUT_MS)


def test_without_a_keyring_the_token_stays_in_memory_and_the_app_says_so(
    qtbot: QtBot, hub_server: str, new_desk: Callable[..., Desk]
) -> None:
    desk = new_desk(hub_server, "no-keyring", memory_tokens(hub_server))
    notes: list[str] = []
    window = open_signed_in(qtbot, desk, "demo.gp", notes)
    assert notes == [NO_KEYRING_MESSAGE]
    qtbot.waitUntil(
        lambda: window.sync_status.status.state is SyncState.SYNCED, timeout=SYNC_TIMEOUT_MS
    )
    assert NO_KEYRING_MESSAGE in window.sync_status.toolTip()


def test_sign_out_forgets_the_token_on_both_sides_and_asks_again(
    qtbot: QtBot, hub_server: str, new_desk: Callable[..., Desk]
) -> None:
    tokens = memory_tokens(hub_server)
    desk = new_desk(hub_server, "gp", tokens)
    window = open_signed_in(qtbot, desk, "demo.gp")
    token = tokens.load("demo.gp")
    assert token is not None
    asked: list[str] = []

    def cancel_the_dialog() -> None:
        dialog = shown_dialog()
        if dialog is None:
            QTimer.singleShot(20, cancel_the_dialog)  # not shown yet: the hub is being told
            return
        asked.append(dialog.username.text())
        dialog.cancel_button.click()

    QTimer.singleShot(0, cancel_the_dialog)
    window.sign_out_action.trigger()  # File → Sign out
    assert asked == ["demo.gp"]  # the sign-in dialog again, the username remembered
    assert desk.session.window is None  # cancelled: no window (the app ends)
    assert tokens.load("demo.gp") is None
    me = requests.get(
        f"{hub_server}/api/v1/me",
        headers={**CLIENT_HEADERS, "Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert me.status_code == 401


def test_the_signed_in_window_offers_reports(
    qtbot: QtBot, hub_server: str, new_desk: Callable[..., Desk]
) -> None:
    window = open_signed_in(qtbot, new_desk(hub_server, "mgr", memory_tokens(hub_server)),
                            "demo.manager")  # fmt: skip
    [view] = [a for a in window.menuBar().actions() if a.text().replace("&", "") == "View"]
    [reports] = [a for a in view.menu().actions() if a.text().startswith("&Reports")]
    assert reports.isEnabled() and reports.shortcut().toString() == "Ctrl+Shift+R"


def test_a_sign_in_ended_unused_asks_again_saying_why_and_keeps_the_window(
    qtbot: QtBot, hub_server: str, new_desk: Callable[..., Desk], hub_db: HubDatabase
) -> None:
    desk = new_desk(hub_server, "gp", memory_tokens(hub_server))
    window = open_signed_in(qtbot, desk, "demo.gp")
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(window), timeout=SYNC_TIMEOUT_MS)
    qtbot.keyClicks(window.filter_bar.search, "elbows")  # what the user had typed
    with hub_db.transaction() as session:  # the desk was closed over lunch
        old = datetime.now(UTC) - timedelta(minutes=45)
        session.execute(update(Token).values(last_used_at=old, created_at=old))
    window.sync_now_action.trigger()
    qtbot.waitUntil(
        lambda: window.sync_status.status.state is SyncState.SIGNED_OUT, timeout=SYNC_TIMEOUT_MS
    )
    why = "Your sign-in ended after 30 minutes without use; sign in again."
    assert why in window.sync_status.toolTip()
    shown: list[str] = []

    def sign_in_again() -> None:
        dialog = shown_dialog()
        assert dialog is not None
        shown.append(dialog.message.text())
        sign_in_through_the_dialog(qtbot, "demo.gp")()

    QTimer.singleShot(0, sign_in_again)
    window.sync_status.click()  # "Signed out: sign in to sync"
    assert shown == [why]
    assert desk.session.window is window and window.filter_bar.search.text() == "elbows"
    qtbot.waitUntil(lambda: synced_with_nothing_waiting(window), timeout=SYNC_TIMEOUT_MS)
