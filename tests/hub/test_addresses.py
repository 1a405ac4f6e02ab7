"""Which address a request is counted under: X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import pytest

from bhcp_ag.hub.addresses import client_address
from bhcp_ag.hub.settings import HubSettings

PROXIES = HubSettings(
    trusted_proxies=("10.0.0.5", "10.1.0.0/16", "fd00::/8")
).trusted_proxy_networks


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "192.168.1.20"])
def test_without_trusted_proxies_the_header_is_ignored(peer: str) -> None:
    assert client_address(peer, ["203.0.113.9"], ()) == peer
    assert client_address(peer, ["203.0.113.9, 198.51.100.1"], PROXIES) == peer


@pytest.mark.parametrize(
    ("headers", "counted"),
    [
        (["203.0.113.9"], "203.0.113.9"),
        (["198.51.100.7, 203.0.113.9"], "203.0.113.9"),  # the left is the client's to choose
        (["203.0.113.9, 10.1.4.4"], "203.0.113.9"),  # past a second trusted proxy
        (["203.0.113.9", "10.1.4.4"], "203.0.113.9"),  # two headers are one list
        (["2001:db8::7, fd00::1"], "2001:db8::7"),
        (["203.0.113.9:51234"], "203.0.113.9"),
        (["[2001:db8::7]:443"], "2001:db8::7"),
        (["not-an-address"], "10.0.0.5"),
        (["198.51.100.7, unknown"], "10.0.0.5"),  # no believing past a garbled hop
        ([], "10.0.0.5"),
        (["10.1.0.1, 10.1.0.2"], "10.0.0.5"),  # only proxies: the peer
    ],
)
def test_from_a_trusted_proxy_the_rightmost_untrusted_hop_counts(
    headers: list[str], counted: str
) -> None:
    assert client_address("10.0.0.5", headers, PROXIES) == counted


def test_the_address_is_bounded() -> None:
    long_hops = ", ".join(f"10.1.0.{n % 250}" for n in range(5000))
    assert client_address("10.0.0.5", [long_hops], PROXIES) == "10.0.0.5"
    assert len(client_address("x" * 500, [], ())) == 45
