"""The client's address: the peer's, or, behind a proxy the hub trusts, the forwarded one.

``X-Forwarded-For`` is a list that each proxy appends its peer to, so only its right end
is written by proxies the hub knows; anything to the left may be made up by the client.
The hub walks it from the right, past its own trusted proxies, and takes the first
address that is not one of them. From a peer that is not a trusted proxy the header is
ignored: otherwise a client chooses the address its failed sign-ins are counted under.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from bhcp_ag.hub.settings import ProxyNetwork

MAX_ADDRESS_CHARS = 45  # the longest IPv6 text form (with an embedded IPv4 address)
MAX_FORWARDED_HOPS = 20


def _parsed(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: str, proxies: Sequence[ProxyNetwork]) -> bool:
    parsed = _parsed(address)
    return parsed is not None and any(parsed in network for network in proxies)


def client_address(peer: str, forwarded_for: Iterable[str], proxies: Sequence[ProxyNetwork]) -> str:
    """The address the hub counts a request under (at most 45 characters).

    ``peer`` is the TCP peer, ``forwarded_for`` the ``X-Forwarded-For`` headers in order.
    """
    if not proxies or not _trusted(peer, proxies):
        return peer[:MAX_ADDRESS_CHARS]
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops[-MAX_FORWARDED_HOPS:]):
        if _trusted(hop, proxies):
            continue
        parsed = _parsed(hop)
        # A hop that is not an address (garbage, "unknown") ends what can be believed:
        # the trusted proxy next to it is the last address known to be real.
        return str(parsed) if parsed is not None else peer[:MAX_ADDRESS_CHARS]
    return peer[:MAX_ADDRESS_CHARS]
