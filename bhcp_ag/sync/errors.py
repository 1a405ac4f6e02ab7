"""What can go wrong talking to the hub, as exceptions the sync engine and UI can act on.

:class:`bhcp_ag.sync.client.HubClient` maps every transport failure and HTTP error to
one of these in a single place. Each carries words a user can read (``detail``) and,
where the hub gave one, its machine ``code``.
"""

from __future__ import annotations


class HubProblem(Exception):
    """Base class: the hub could not do what was asked."""

    def __init__(self, detail: str, code: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


class HubUnreachable(HubProblem):
    """No answer: connection refused or reset, DNS failure, timeout. Working offline."""


class HubCertificateRefused(HubUnreachable):
    """The hub's TLS certificate did not verify; nothing was sent to it."""


class SignedOut(HubProblem):
    """401: the token expired or was revoked (it has been forgotten), or sign-in failed."""


class OtherHub(HubProblem):
    """The hub answering is not the one this store is bound to; nothing was exchanged."""


class HubRefusedVersion(HubProblem):
    """426: the hub cannot serve this version of bhcp-ag; ``detail`` says what to do."""


class HubError(HubProblem):
    """Any other 4xx or 5xx answer, with the hub's status, code and readable detail."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail, code)
        self.status = status

    @property
    def transient(self) -> bool:
        """Worth trying again later: the hub's own trouble or a request to slow down."""
        return self.status >= 500 or self.status in (408, 429)


class ProtocolMismatch(HubProblem):
    """The hub's answer does not have the shape ``docs/sync-protocol.md`` describes."""
