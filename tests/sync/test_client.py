"""The HTTP client's own policies, against a small real HTTP server on loopback.

The server answers every request with one fixed status and counts what it received:
enough to check headers, retries (GET/PUT only), error mapping and the TLS rules
without a hub.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from keyring.backends import fail
from urllib3.exceptions import MaxRetryError, NewConnectionError

from bhcp_ag import __version__
from bhcp_ag.hub import compat
from bhcp_ag.hub.settings import WIRE_SCHEMA_VERSIONS
from bhcp_ag.sync.client import (
    CLIENT_VERSION_HEADER,
    SCHEMA_HEADER,
    USER_AGENT,
    HubClient,
    retry_policy,
)
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.errors import HubError, HubRefusedVersion, HubUnreachable, SignedOut
from bhcp_ag.sync.wire import WIRE_SCHEMA


class FixedAnswer(ThreadingHTTPServer):
    status = 200
    body: dict[str, object] = {}

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FixedAnswer

    def _answer(self) -> None:
        self.server.seen.append((self.command, dict(self.headers)))
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        data = json.dumps(self.server.body).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[FixedAnswer]:
    answer = FixedAnswer()
    thread = threading.Thread(target=answer.serve_forever, daemon=True)
    thread.start()
    yield answer
    answer.shutdown()
    answer.server_close()
    thread.join(timeout=5)


def _client(url: str) -> HubClient:
    return HubClient(url, timeout=(2, 5), retry=retry_policy(attempts=2, backoff=0))


def test_the_version_headers_match_what_the_hub_checks() -> None:
    assert CLIENT_VERSION_HEADER == compat.CLIENT_VERSION_HEADER
    assert SCHEMA_HEADER == compat.SCHEMA_HEADER
    assert WIRE_SCHEMA in WIRE_SCHEMA_VERSIONS


def test_every_request_says_who_sent_it(server: FixedAnswer) -> None:
    server.body = {"status": "ok"}
    _client(server.url).health()
    [(_method, headers)] = server.seen
    assert headers["User-Agent"] == USER_AGENT == f"bhcp-ag/{__version__}"
    assert headers[CLIENT_VERSION_HEADER] == __version__
    assert headers[SCHEMA_HEADER] == str(WIRE_SCHEMA)


def test_a_get_is_retried_on_503_and_a_push_is_not(server: FixedAnswer) -> None:
    server.status, server.body = 503, {"detail": "Busy.", "code": "busy"}
    client = _client(server.url)
    client._token = "t"  # signed in, as far as this server cares
    with pytest.raises(HubError) as pulled:
        client.pull(None, 10)
    assert (pulled.value.status, pulled.value.detail, pulled.value.transient) == (
        503,
        "Busy.",
        True,
    )
    assert len(server.seen) == 3  # the first try and two retries
    server.seen.clear()
    with pytest.raises(HubError):
        client.push([{"id": "c1"}])
    assert len(server.seen) == 1


def test_a_failed_connection_is_retried_for_get_and_put_only() -> None:
    refused = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    policy = retry_policy(attempts=2, backoff=0)
    for method in ("GET", "PUT"):
        again = policy.increment(method=method, url="/x", error=refused)
        assert again.total == 1
    for method in ("POST", "DELETE"):
        with pytest.raises(MaxRetryError):
            policy.increment(method=method, url="/x", error=refused)


@pytest.mark.parametrize(
    ("status", "error"), [(401, SignedOut), (426, HubRefusedVersion), (409, HubError)]
)
def test_errors_are_mapped_with_the_hubs_words(
    server: FixedAnswer, status: int, error: type[Exception]
) -> None:
    server.status, server.body = status, {"detail": "Words for a person.", "code": "some_code"}
    client = _client(server.url)
    client._token = "t"
    with pytest.raises(error) as raised:
        client.me()
    assert raised.value.detail == "Words for a person."  # type: ignore[attr-defined]
    assert client.signed_in is (status != 401)


def test_plain_http_is_only_for_this_computer_and_tls_is_always_verified() -> None:
    with pytest.raises(ValueError, match="https://"):
        HubClient("http://hub.bay.example")
    HubClient("http://localhost:8000").close()
    HubClient("https://hub.bay.example").close()
    unverified = requests.Session()
    unverified.verify = False
    with pytest.raises(ValueError, match="verification"):
        HubClient("https://hub.bay.example", session=unverified)


def test_a_failed_sign_in_keeps_the_token_of_whoever_is_signed_in(server: FixedAnswer) -> None:
    server.status, server.body = 401, {"detail": "Not right.", "code": "sign_in_failed"}
    client = _client(server.url)
    client._token = "t"
    with pytest.raises(SignedOut):
        client.sign_in("someone.else", "wrong")
    assert client.signed_in


@pytest.fixture
def hanging_up() -> Iterator[tuple[str, list[int]]]:
    """A loopback address that accepts each connection and hangs up at once (a hub on
    its way down); yields its URL and the list of connections it took."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    taken: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            taken.append(1)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", taken
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_the_start_up_check_tries_a_hub_that_is_down_once_and_sync_retries(
    hanging_up: tuple[str, list[int]],
) -> None:
    """Resuming a kept sign-in asks the hub once (the desk opens offline at once, issue 13);
    everything else keeps its retries."""
    url, taken = hanging_up
    tokens = TokenStore(url, backend=fail.Keyring())  # the token in memory, for this test
    tokens.save("demo.gp", "kept-token")
    client = HubClient(url, credentials=tokens, retry=retry_policy(backoff=0))
    assert client.resume("demo.gp")
    with pytest.raises(HubUnreachable):
        client.me(once=True)
    assert len(taken) == 1
    with pytest.raises(HubUnreachable):
        client.me()
    assert len(taken) == 1 + 4  # the first try and three more
    client.close()
