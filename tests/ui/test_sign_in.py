"""The sign-in dialog against the real hub on loopback (embedded SQLite database).

The hub fixtures come from ``tests/integration/conftest.py`` (imported here, since
``tests/ui`` does not see that folder's conftest), on the embedded database only: these
tests are about the dialog, the hub's backends are covered there.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QProgressBar
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from bhcp_ag.hub.db import HubDatabase
from bhcp_ag.hub.demo_users import DEMO_PASSWORD
from bhcp_ag.hub.models import User
from bhcp_ag.hub.settings import HubSettings
from bhcp_ag.services.workspace import load_user
from bhcp_ag.store.db import Store
from bhcp_ag.store.sync_state import BoundHub, bind_hub
from bhcp_ag.sync.client import HubClient, retry_policy
from bhcp_ag.sync.credentials import NO_KEYRING_MESSAGE, TokenStore
from bhcp_ag.sync.engine import SyncEngine
from bhcp_ag.ui.sign_in import (
    CONFIGURED_NOTE,
    EMBEDDED_NOTE,
    NO_ADDRESS,
    NOT_WEB_ADDRESS,
    PLAIN_HTTP,
    WRONG_PASSWORD,
    HubAddressRefused,
    SignInDialog,
    hub_address,
)
from tests.integration import conftest as integration

# The real hub's fixtures, shared with tests/integration (a conftest there is not seen here).
sqlite_template = integration.sqlite_template
sqlite_url = integration.sqlite_url
hub_clock = integration.hub_clock
hub_settings = integration.hub_settings
hub_server = integration.hub_server


@pytest.fixture
def hub_database_url(sqlite_url: str) -> str:
    """The embedded database only: the dialog does not care which database the hub has."""
    return sqlite_url


@pytest.fixture
def make_engine(seeded_store: Store) -> Iterator[Callable[[str], SyncEngine]]:
    """``make_engine(url)``: a real client and engine; tokens in memory (no keyring here)."""
    made: list[tuple[HubClient, TokenStore]] = []

    def make(url: str) -> SyncEngine:
        tokens = TokenStore(url, backend=fail.Keyring())
        client = HubClient(url, credentials=tokens, timeout=(2, 10), retry=retry_policy(0))
        made.append((client, tokens))
        return SyncEngine(seeded_store, client, tokens)

    yield make
    for client, tokens in made:
        client.close()
        tokens.close()


_OPEN: list[SignInDialog] = []
"""Dialogs a test opened, kept alive until its teardown (see :func:`kept_until_teardown`)."""


@pytest.fixture(autouse=True)
def kept_until_teardown() -> Iterator[None]:
    """A dialog only a test's local variable held would be deleted the moment the test
    returns, with its sign-in answer maybe still on its way from the worker thread; keep
    each until teardown, then close it."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def open_dialog(
    qtbot: QtBot,
    url: str,
    engine: SyncEngine,
    username: str | None,
    engine_for: Callable[[str], SyncEngine] | None = None,
) -> SignInDialog:
    dialog = SignInDialog(
        None,
        hub_url=url,
        engine=engine,
        remembered_username=username,
        embedded=True,
        engine_for=engine_for,
    )
    qtbot.addWidget(dialog)
    _OPEN.append(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def sign_in(qtbot: QtBot, dialog: SignInDialog, username: str, password: str) -> None:
    dialog.username.setText(username)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    dialog.sign_in_button.click()
    assert not dialog.sign_in_button.isEnabled()  # disabled at once, until the hub answers
    assert dialog.busy.isVisible() and dialog.signing_in
    qtbot.waitUntil(lambda: not dialog.signing_in, timeout=10_000)
    assert not dialog.busy.isVisible()


def shown_dialog() -> SignInDialog:
    """The sign-in dialog that :meth:`SignInDialog.ask` is showing."""
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog))


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_wrong_password_is_said_inline_and_the_username_kept(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.gp")
    qtbot.waitUntil(dialog.password.hasFocus)  # the username is remembered
    sign_in(qtbot, dialog, "demo.gp", "not-the-password")
    assert dialog.isVisible() and dialog.session is None
    assert dialog.message.isVisible() and dialog.message.text() == WRONG_PASSWORD
    assert dialog.username.text() == "demo.gp"
    assert dialog.password.text() == "" and dialog.password.hasFocus()
    assert dialog.sign_in_button.isEnabled()


def test_return_after_a_wrong_password_signs_in_and_never_cancels(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.gp")
    sign_in(qtbot, dialog, "demo.gp", "not-the-password")
    assert dialog.message.text() == WRONG_PASSWORD and dialog.password.hasFocus()
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # as a person does, twice over
    qtbot.waitUntil(lambda: dialog.session is not None, timeout=10_000)
    assert dialog.session.user.username == "demo.gp"


def test_the_right_password_returns_the_session(
    qtbot: QtBot,
    hub_server: str,
    make_engine: Callable[[str], SyncEngine],
    seeded_store: Store,
) -> None:
    engine = make_engine(hub_server)

    def type_and_sign_in() -> None:
        dialog = shown_dialog()
        qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: dialog.session is not None, timeout=10_000)
        assert dialog.keyring_note.text() == NO_KEYRING_MESSAGE  # memory only: said so
        dialog.sign_in_button.click()  # "Continue"

    QTimer.singleShot(0, type_and_sign_in)
    signed_in = SignInDialog.ask(
        None, hub_url=hub_server, engine=engine, remembered_username="demo.specialist"
    )
    assert signed_in is not None
    assert signed_in.info.user.username == "demo.specialist"
    assert signed_in.hub_url == hub_server and signed_in.engine is engine
    assert engine.client.signed_in
    assert load_user(seeded_store, "demo.specialist").specialty_codes == ("330", "410")


def test_a_hub_that_is_down_is_said_in_plain_words(
    qtbot: QtBot, make_engine: Callable[[str], SyncEngine]
) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    dialog = open_dialog(qtbot, url, make_engine(url), None)
    qtbot.waitUntil(dialog.username.hasFocus)
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.message.text() == (
        f"Can't reach the hub at {url}. Check the address and your network connection, "
        "then try again."
    )
    assert dialog.username.text() == "demo.gp"


def test_too_many_wrong_passwords_say_how_long_to_wait(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.manager")
    for _ in range(3):  # the hub's free failures for one account from one computer
        sign_in(qtbot, dialog, "demo.manager", "guess")
        assert dialog.message.text() == WRONG_PASSWORD
    sign_in(qtbot, dialog, "demo.manager", DEMO_PASSWORD)
    assert dialog.message.text().startswith(
        "Too many failed sign-ins for this account from this computer."
    )
    assert "Wait 2 seconds" in dialog.message.text()
    assert dialog.session is None


def test_a_store_of_another_hub_is_refused_in_words_shown_whole(
    qtbot: QtBot,
    hub_server: str,
    make_engine: Callable[[str], SyncEngine],
    seeded_store: Store,
) -> None:
    elsewhere = BoundHub(
        "0f0e0d0c-0000-4000-8000-000000000001", "https://hub.elsewhere.nhs.uk", False
    )
    with seeded_store.session() as session:
        bind_hub(session, elsewhere)
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.gp")
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.session is None and dialog.message.isVisible()
    words = dialog.message.text()
    assert words.startswith("Nothing was synced: the hub at ") and elsewhere.url in words
    label = dialog.message
    assert label.height() >= label.heightForWidth(label.width())  # not cut off
    assert dialog.rect().contains(label.geometry())
    assert dialog.password.text() == "" and dialog.username.text() == "demo.gp"


def test_a_deactivated_account_is_said_plainly(
    qtbot: QtBot,
    hub_server: str,
    make_engine: Callable[[str], SyncEngine],
    hub_settings: HubSettings,
) -> None:
    database = HubDatabase.open(hub_settings.database_url, migrate_schema=False)
    try:
        with database.transaction() as session:
            session.execute(update(User).where(User.username == "demo.gp").values(active=False))
    finally:
        database.close()
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.gp")
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.message.text() == (
        "Your account has been deactivated, so you cannot sign in. Ask an administrator."
    )
    assert dialog.session is None and dialog.username.text() == "demo.gp"


def test_asked_again_the_dialog_says_why(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    why = "Your sign-in ended after 30 minutes without use; sign in again."
    dialog = SignInDialog(
        None,
        hub_url=hub_server,
        engine=make_engine(hub_server),
        remembered_username="demo.gp",
        reason=why,
    )
    qtbot.addWidget(dialog)
    _OPEN.append(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.message.isVisible() and dialog.message.text() == why
    qtbot.waitUntil(dialog.password.hasFocus)


def test_without_a_keyring_the_dialog_says_the_sign_in_is_not_kept(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.gp")
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.session is not None
    assert dialog.keyring_note.isVisible()
    assert dialog.keyring_note.text() == NO_KEYRING_MESSAGE
    assert dialog.sign_in_button.text() == "&Continue"
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.sign_in_button.click()


def test_without_another_hub_to_go_to_the_address_is_read_only(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), None)
    controls = [
        *dialog.findChildren(QLineEdit),
        *dialog.findChildren(QAbstractButton),
        *dialog.findChildren(QProgressBar),
    ]
    assert len(controls) >= 6
    assert all(control.accessibleName() for control in controls)
    assert dialog.hub.isReadOnly() and dialog.hub.text() == hub_server
    assert dialog.hub_note.text() == EMBEDDED_NOTE
    assert dialog.password.echoMode() is QLineEdit.EchoMode.Password


def test_cancel_returns_nothing(qtbot: QtBot, make_engine: Callable[[str], SyncEngine]) -> None:
    url = f"http://127.0.0.1:{unused_port()}"

    QTimer.singleShot(0, lambda: shown_dialog().cancel_button.click())
    engine = make_engine(url)
    assert SignInDialog.ask(None, hub_url=url, engine=engine, remembered_username=None) is None


# --- the hub's address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("https://hub.example.nhs.uk/", "https://hub.example.nhs.uk"),
        ("  hub.example.nhs.uk ", "https://hub.example.nhs.uk"),  # https:// assumed
        ("https://hub.example.nhs.uk:8443/ag", "https://hub.example.nhs.uk:8443/ag"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),  # plain http to this computer
        ("http://localhost:8765/", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
    ],
)
def test_hub_addresses_that_can_be_used(typed: str, address: str) -> None:
    assert hub_address(typed) == address


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", NO_ADDRESS),
        ("   ", NO_ADDRESS),
        ("http://hub.example.nhs.uk", PLAIN_HTTP),
        ("http://10.1.2.3:8000", PLAIN_HTTP),
        ("ftp://hub.example.nhs.uk", NOT_WEB_ADDRESS),
        ("https://", NOT_WEB_ADDRESS),
        ("https://hub example", NOT_WEB_ADDRESS),
        ("https://hub.example.nhs.uk:port", NOT_WEB_ADDRESS),
    ],
)
def test_hub_addresses_that_are_refused_say_why(typed: str, problem: str) -> None:
    with pytest.raises(HubAddressRefused) as refused:
        hub_address(typed)
    assert str(refused.value) == problem


def test_a_plain_http_address_elsewhere_is_refused_before_anything_is_sent(
    qtbot: QtBot, make_engine: Callable[[str], SyncEngine]
) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    asked: list[str] = []

    def engine_for(address: str) -> SyncEngine:
        asked.append(address)
        return make_engine(address)

    dialog = open_dialog(qtbot, url, make_engine(url), "demo.gp", engine_for)
    assert not dialog.hub.isReadOnly()
    dialog.hub.clear()
    qtbot.keyClicks(dialog.hub, "http://hub.example.nhs.uk")
    assert not dialog.demo_accounts.isVisible() and dialog.hub_note.text() == CONFIGURED_NOTE
    qtbot.keyClicks(dialog.password, DEMO_PASSWORD)
    dialog.sign_in_button.click()
    assert dialog.message.text() == PLAIN_HTTP
    assert not dialog.signing_in and asked == []
    qtbot.waitUntil(dialog.hub.hasFocus)


def test_typing_another_hub_signs_in_there(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    demo_url = f"http://127.0.0.1:{unused_port()}"  # the demo hub (not running here)
    engines: dict[str, SyncEngine] = {}

    def engine_for(address: str) -> SyncEngine:
        engines[address] = make_engine(address)
        return engines[address]

    demo_engine = make_engine(demo_url)
    dialog = open_dialog(qtbot, demo_url, demo_engine, "demo.gp", engine_for)
    assert dialog.hub.text() == demo_url and dialog.hub_note.text() == EMBEDDED_NOTE
    assert dialog.demo_accounts.isVisible()
    dialog.hub.selectAll()
    qtbot.keyClicks(dialog.hub, hub_server + "/")
    assert dialog.hub_note.text() == CONFIGURED_NOTE
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.session is not None and dialog.session.user.username == "demo.gp"
    assert dialog.hub_url == hub_server and dialog.engine is engines[hub_server]
    assert engines[hub_server].client.signed_in and not demo_engine.client.signed_in


def test_a_mistyped_hub_says_so_and_the_next_address_is_tried(
    qtbot: QtBot, hub_server: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    nowhere = f"http://127.0.0.1:{unused_port()}"
    dialog = open_dialog(qtbot, hub_server, make_engine(hub_server), "demo.gp", make_engine)
    dialog.hub.selectAll()
    qtbot.keyClicks(dialog.hub, nowhere)
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.message.text().startswith(f"Can't reach the hub at {nowhere}.")
    assert dialog.hub_url == hub_server  # nothing changed yet
    dialog.hub.selectAll()
    qtbot.keyClicks(dialog.hub, hub_server)
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.session is not None


@pytest.fixture
def untrusted_https_hub(tmp_path: Path) -> Iterator[str]:
    """An https server on loopback whose certificate no one vouches for (self-signed)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "hub.pem"
    pem.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_a_certificate_problem_is_said_and_the_password_not_sent(
    qtbot: QtBot, untrusted_https_hub: str, make_engine: Callable[[str], SyncEngine]
) -> None:
    url = untrusted_https_hub
    dialog = open_dialog(qtbot, url, make_engine(url), "demo.gp")
    sign_in(qtbot, dialog, "demo.gp", DEMO_PASSWORD)
    assert dialog.message.text() == (
        f"The hub at {url} could not prove who it is (its certificate was not accepted), "
        "so your password was not sent. Check the address; if it is right, call the IT "
        "service desk."
    )
    assert dialog.session is None


def test_every_control_has_an_accessible_name(
    qtbot: QtBot, make_engine: Callable[[str], SyncEngine]
) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    dialog = open_dialog(qtbot, url, make_engine(url), None, make_engine)
    controls = [
        *dialog.findChildren(QLineEdit),
        *dialog.findChildren(QAbstractButton),
        *dialog.findChildren(QProgressBar),
    ]
    assert len(controls) >= 6
    assert all(control.accessibleName() for control in controls)
