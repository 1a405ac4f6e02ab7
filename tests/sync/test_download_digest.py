"""A downloaded attachment is checked against the hub's ``Content-Digest`` (RFC 9530) when
it sends one (the hub re-encodes pictures, so the bytes may not hash to the address), and
against the address when it does not. A real HTTP server on loopback serves the bytes."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bhcp_ag.sync.client import HubClient, retry_policy, sha256_of_digest_field
from bhcp_ag.sync.errors import ProtocolMismatch

SENT = b"what the GP's desktop uploaded"
SERVED = b"what the hub serves after cleaning"


def _field(data: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(data).digest()).decode()}:"


class FileServer(ThreadingHTTPServer):
    body = SERVED
    digest: str | None = None

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: FileServer

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.server.body)))
        if self.server.digest is not None:
            self.send_header("Content-Digest", self.server.digest)
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def client() -> Iterator[tuple[HubClient, FileServer]]:
    server = FileServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    hub = HubClient(url, timeout=(2, 5), retry=retry_policy(attempts=1, backoff=0))
    hub._token = "t"  # signed in, as far as this server cares
    yield hub, server
    hub.close()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_the_digest_of_what_is_served_is_what_counts(client: tuple[HubClient, FileServer]) -> None:
    hub, server = client
    address = hashlib.sha256(SENT).hexdigest()
    server.digest = _field(SERVED)
    assert hub.download_attachment(address) == SERVED
    for wrong in (_field(SENT), "sha-256=:AAAA:", "sha-256=:not base64!:", "sha-256=abc"):
        server.digest = wrong
        with pytest.raises(ProtocolMismatch, match="checksum"):
            hub.download_attachment(address)


def test_without_a_digest_the_address_is_checked(client: tuple[HubClient, FileServer]) -> None:
    hub, server = client
    server.digest = None
    with pytest.raises(ProtocolMismatch, match="checksum"):
        hub.download_attachment(hashlib.sha256(SENT).hexdigest())
    assert hub.download_attachment(hashlib.sha256(SERVED).hexdigest()) == SERVED
    server.digest = f"sha-512=:{base64.b64encode(hashlib.sha512(SERVED).digest()).decode()}:"
    assert hub.download_attachment(hashlib.sha256(SERVED).hexdigest()) == SERVED


def test_the_field_is_read_as_rfc_9530_writes_it() -> None:
    digest = hashlib.sha256(SERVED).digest()
    encoded = base64.b64encode(digest).decode()
    assert sha256_of_digest_field(f"sha-256=:{encoded}:") == digest
    assert sha256_of_digest_field(f"sha-512=:AAAA:, SHA-256=:{encoded}:") == digest
    assert sha256_of_digest_field("sha-512=:AAAA:") is None
    assert sha256_of_digest_field(None) is None
    assert sha256_of_digest_field("sha-256=:AAAA:") == b""  # not 32 bytes: matches nothing
