"""Which clients the hub serves: the ``X-BHCP-Client-Version`` and ``X-BHCP-Schema`` checks.

Every request except the health check and the OpenAPI document says which bhcp-ag
version sent it and which wire schema it speaks. A client older than the hub's minimum,
or speaking a schema the hub does not serve, gets 426 and a message saying what to do;
the client keeps its changes queued meanwhile.
"""

from __future__ import annotations

import re

from bhcp_ag.hub.errors import HubError

CLIENT_VERSION_HEADER = "X-BHCP-Client-Version"
SCHEMA_HEADER = "X-BHCP-Schema"

_VERSION = re.compile(
    r"^(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?(?:[+\-a-zA-Z][.+\-a-zA-Z0-9]*)?$"
)


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"0.1.0"`` -> ``(0, 1, 0)``; pre-release and build suffixes are ignored; else None."""
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    major, minor, patch = (int(part) if part else 0 for part in match.groups())
    return major, minor, patch


def _too_old(minimum: str, said: str) -> HubError:
    return HubError(
        426,
        "client_too_old",
        f"This hub needs bhcp-ag {minimum} or newer, and {said}. Update bhcp-ag on this "
        "computer; your changes are kept on it until then.",
    )


def check_client(
    client_version: str | None, schema: str | None, minimum: str, schemas: frozenset[int]
) -> None:
    """Raise 426 unless this hub can serve the client's version and wire schema."""
    if not client_version:
        raise _too_old(minimum, "this request did not say which version sent it")
    version = parse_version(client_version)
    if version is None or version < (parse_version(minimum) or (0, 0, 0)):
        raise _too_old(minimum, f"this computer has bhcp-ag {client_version[:40]}")
    served = ", ".join(str(number) for number in sorted(schemas))
    if not schema or not schema.strip().isdigit():
        raise HubError(
            426,
            "schema_required",
            f"This hub serves data schema {served}, and this request did not say which "
            f"it speaks ({SCHEMA_HEADER}). Update bhcp-ag on this computer.",
        )
    number = int(schema)
    if number in schemas:
        return
    if number < min(schemas):
        raise _too_old(minimum, f"this computer's bhcp-ag speaks the older data schema {number}")
    raise HubError(
        426,
        "hub_too_old",
        f"This computer's bhcp-ag speaks data schema {number}, newer than this hub serves "
        f"({served}). Ask the hub's administrator to update the hub; your changes are kept "
        "on this computer until then.",
    )
