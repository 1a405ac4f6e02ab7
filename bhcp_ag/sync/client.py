"""The one HTTP client of the hub: it owns the ``requests.Session`` and its policies.

As Anki's ``httpclient.py`` does, this class alone knows the wire: timeouts, the
User-Agent and version headers, TLS verification (always on; plain ``http://`` only to
this computer), retries and error mapping.

- Retries with exponential backoff happen in the transport (urllib3 ``Retry``) for
  idempotent calls only: GET, and the PUT of an attachment (addressed by its SHA-256).
  A push is a POST; it is safe to send again only because each change has an id the
  hub remembers, so the sync engine decides when to repeat it.
- Every failure becomes one exception of :mod:`bhcp_ag.sync.errors`, in
  :meth:`HubClient._refuse` and :meth:`HubClient._send`. A 401 forgets the stored token
  there, once, for every caller.
- Nothing about a patient is logged: only methods, API paths (ids) and statuses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import ConnectionPool
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from bhcp_ag import __version__
from bhcp_ag.sync.credentials import TokenStore
from bhcp_ag.sync.errors import (
    HubCertificateRefused,
    HubError,
    HubRefusedVersion,
    HubUnreachable,
    ProtocolMismatch,
    SignedOut,
)
from bhcp_ag.sync.wire import (
    WIRE_SCHEMA,
    ChangeResult,
    HubUser,
    Json,
    PulledPage,
    SessionInfo,
    push_results,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
CLIENT_VERSION_HEADER = "X-BHCP-Client-Version"
SCHEMA_HEADER = "X-BHCP-Schema"
USER_AGENT = f"bhcp-ag/{__version__}"
MAX_PUSH_CHANGES = 100
RETRY_STATUSES = frozenset({502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "PUT"})


class IdempotentRetry(Retry):
    """urllib3's ``Retry`` that never repeats a method outside ``allowed_methods``.

    Plain ``Retry`` limits read errors and statuses to the allowed methods but retries a
    failed connection for any method; here a POST is never sent twice by the transport.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        retry = self
        if method is not None and not self._is_method_retryable(method):
            retry = self.new(total=0)  # exhausted: raises instead of trying again
        return super(IdempotentRetry, retry).increment(
            method, url, response, error, _pool, _stacktrace
        )


def retry_policy(attempts: int = 3, backoff: float = 0.25) -> Retry:
    """Up to ``attempts`` more tries of GET/PUT after a connection error or 502/503/504."""
    return IdempotentRetry(
        total=attempts,
        connect=attempts,
        read=attempts,
        status=attempts,
        other=0,
        backoff_factor=backoff,
        backoff_max=10,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=IDEMPOTENT_METHODS,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_base_url(base_url: str) -> str:
    parts = urlsplit(base_url.strip())
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname or "")):
        return base_url.strip().rstrip("/")
    raise ValueError(
        f"The hub address must start with https:// (plain http is allowed only to this "
        f"computer): {base_url[:100]!r}."
    )


def _error_body(response: requests.Response) -> tuple[str, str]:
    """(code, detail) from the hub's ``{"detail", "code"}``, or generic words."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping) and isinstance(body.get("detail"), str):
        return str(body.get("code") or ""), body["detail"]
    return "", f"The hub answered with HTTP status {response.status_code}."


class HubClient:
    """The hub's API over one ``requests.Session``; holds the signed-in user's token.

    ``credentials`` (optional) keeps the token between runs; without it the token lives
    only in this object. ``session`` may be given (tests add adapters to it); one made
    here gets the retry policy mounted, and is closed by :meth:`close`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: tuple[float, float] = (5, 30),
        session: requests.Session | None = None,
        credentials: TokenStore | None = None,
        retry: Retry | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.base_url = _checked_base_url(base_url)
        self.timeout = timeout
        self._owns_session = session is None
        self._http = session if session is not None else requests.Session()
        if self._http.verify is False:
            raise ValueError("Certificate verification must stay on for the hub.")
        # Pinned on every request: the system's CAs, or the deployment's own CA bundle.
        self._verify: str | bool = ca_bundle or True
        # Requests that must not wait through the retries (a start-up check the desk can
        # do without) go once, on a session of their own: a hub that is down is then
        # known in one refused connection, not after urllib3's back-off (about 1.5 s).
        self._once = self._http
        if self._owns_session:
            adapter = HTTPAdapter(max_retries=retry or retry_policy())
            self._http.mount("https://", adapter)
            self._http.mount("http://", adapter)
            self._once = requests.Session()
            single = HTTPAdapter(max_retries=0)
            self._once.mount("https://", single)
            self._once.mount("http://", single)
        for http in {id(self._http): self._http, id(self._once): self._once}.values():
            http.headers.update(
                {
                    "User-Agent": USER_AGENT,
                    CLIENT_VERSION_HEADER: __version__,
                    SCHEMA_HEADER: str(WIRE_SCHEMA),
                    "Accept": "application/json",
                }
            )
        self._credentials = credentials
        self._token: str | None = None
        self.username: str | None = None
        self.user: HubUser | None = None

    @property
    def signed_in(self) -> bool:
        return self._token is not None

    def close(self) -> None:
        if self._owns_session:
            self._http.close()
            self._once.close()

    # --- the one place that sends and maps failures -------------------------------------

    def _send(
        self, method: str, path: str, *, auth: bool = True, once: bool = False, **kw: Any
    ) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if auth:
            if self._token is None:
                raise SignedOut("Sign in to the hub first.", "not_signed_in")
            headers["Authorization"] = f"Bearer {self._token}"
        url = self.base_url + API_PREFIX + path
        try:
            response = (self._once if once else self._http).request(
                method, url, headers=headers, timeout=self.timeout, verify=self._verify, **kw
            )
        except requests.exceptions.SSLError as error:
            raise HubCertificateRefused(
                "The hub's certificate could not be verified, so nothing was sent to it. "
                "Ask your IT team to check the hub's address and certificate.",
                "certificate_refused",
            ) from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise HubUnreachable(
                "The hub cannot be reached just now; your changes wait on this computer.",
                "unreachable",
            ) from error
        except requests.RequestException as error:
            raise HubUnreachable("The request to the hub failed.", "request_failed") from error
        log.debug("hub %s %s -> %s", method, path.split("?")[0], response.status_code)
        if response.status_code >= 400:
            self._refuse(response, sent_token=auth)
        return response

    def _refuse(self, response: requests.Response, *, sent_token: bool) -> None:
        code, detail = _error_body(response)
        status = response.status_code
        if status == 401:
            if sent_token:  # our token no longer works (a failed sign-in keeps it)
                self._forget_token()
            raise SignedOut(detail, code or "signed_out")
        if status == 426:
            raise HubRefusedVersion(detail, code or "version_refused")
        raise HubError(status, code or "http_error", detail)

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise ProtocolMismatch("The hub's answer is not JSON.", "bad_answer") from error

    def _forget_token(self) -> None:
        username, self._token = self.username, None
        if self._credentials is not None and username:
            self._credentials.forget(username)

    # --- session ------------------------------------------------------------------------

    def health(self) -> Json:
        """The hub's health and versions (needs no sign-in)."""
        body = self._json(self._send("GET", "/health", auth=False))
        if not isinstance(body, Mapping):
            raise ProtocolMismatch("The hub's health answer is not an object.", "bad_answer")
        return body

    def sign_in(self, username: str, password: str) -> SessionInfo:
        """Sign in; the token is kept in ``credentials`` (keyring) for the next start."""
        response = self._send(
            "POST", "/session", auth=False, json={"username": username, "password": password}
        )
        info = SessionInfo.of(self._json(response))
        self._token, self.username, self.user = info.token, info.user.username, info.user
        if self._credentials is not None:
            self._credentials.save(info.user.username, info.token)
        return info

    def resume(self, username: str) -> bool:
        """Use the token kept for ``username`` from an earlier sign-in, if there is one."""
        token = self._credentials.load(username) if self._credentials is not None else None
        if token is None:
            return False
        self._token, self.username, self.user = token, username, None
        return True

    def sign_out(self) -> bool:
        """Forget the token here and at the hub; False when the hub could not be told."""
        if self._token is None:
            return True
        try:
            self._send("DELETE", "/session")
            told = True
        except (HubUnreachable, SignedOut, HubError):
            told = False
        self._forget_token()
        self.user = None
        return told

    def change_password(self, current: str, new: str) -> None:
        """Change the signed-in user's password; the hub ends their other sessions.

        A POST, never repeated by the transport: a repeat after a lost answer would be
        refused as a wrong current password.
        """
        body = {"current_password": current, "new_password": new}
        self._send("POST", "/me/password", json=body)

    def me(self, *, once: bool = False) -> HubUser:
        """Who the token signs in; ``once``: a single try, no retries (see ``_once``)."""
        self.user = HubUser.of(self._json(self._send("GET", "/me", once=once)))
        return self.user

    # --- sync ---------------------------------------------------------------------------

    def push(self, changes: Sequence[Json]) -> list[ChangeResult]:
        """Push up to 100 changes; one result per change, in order (``docs/sync-protocol.md``)."""
        if not 0 < len(changes) <= MAX_PUSH_CHANGES:
            raise ValueError(f"A push takes 1 to {MAX_PUSH_CHANGES} changes.")
        response = self._send("POST", "/sync/push", json={"changes": list(changes)})
        return push_results(self._json(response), [str(change["id"]) for change in changes])

    def pull(self, cursor: str | None, limit: int) -> PulledPage:
        """The next page of snapshots in this user's scope after ``cursor``."""
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return PulledPage.of(self._json(self._send("GET", "/sync/pull", params=params)))

    def conversation(self, conversation_id: str) -> Json:
        """One conversation's current snapshot (HubError 404 when it is not visible)."""
        body = self._json(self._send("GET", f"/conversations/{conversation_id}"))
        if not isinstance(body, Mapping):
            raise ProtocolMismatch("The hub's conversation is not an object.", "bad_answer")
        return body

    def upload_attachment(self, sha256: str, mime: str, data: bytes) -> None:
        """Send an attachment's bytes (idempotent: the same bytes again change nothing)."""
        self._send("PUT", f"/attachments/{sha256}", data=data, headers={"Content-Type": mime})

    def download_attachment(self, sha256: str) -> bytes:
        """An attachment's bytes, checked against their ``Content-Digest`` (RFC 9530).

        The hub re-encodes the pictures it is sent (dropping their metadata), so what it
        serves under an address is not always the bytes that hash to it; it says the
        digest of what it serves. A hub that sends no digest serves the very bytes, checked
        against the address.
        """
        response = self._send("GET", f"/attachments/{sha256}")
        data = response.content
        digest = hashlib.sha256(data)
        expected = sha256_of_digest_field(response.headers.get("Content-Digest"))
        if expected is not None:
            matches = hmac.compare_digest(digest.digest(), expected)
        else:
            matches = digest.hexdigest() == sha256.lower()
        if not matches:
            raise ProtocolMismatch(
                "An attachment from the hub does not match its checksum.", "bad_checksum"
            )
        return data


def sha256_of_digest_field(field: str | None) -> bytes | None:
    """The SHA-256 in a ``Content-Digest`` field (``sha-256=:<base64>:``), or None.

    A field naming only other algorithms counts as absent; a ``sha-256`` member that is
    not 32 bytes of base64 is taken as a digest nothing matches.
    """
    for member in (field or "").split(","):
        name, _, value = member.strip().partition("=")
        if name.strip().lower() != "sha-256":
            continue
        value = value.split(";")[0].strip()  # parameters of the member, if any
        if not (len(value) > 2 and value.startswith(":") and value.endswith(":")):
            return b""
        try:
            decoded = base64.b64decode(value[1:-1], validate=True)
        except ValueError:
            return b""
        return decoded if len(decoded) == 32 else b""
    return None
