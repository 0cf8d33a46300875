"""Which network addresses the portal may fetch from: by default only the public internet, so a URL cannot
make the portal reach into the network it runs in (server-side request forgery)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], bool]

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(address: IPAddress) -> bool:
    """Whether an address is on the public internet: not private, loopback, link-local, multicast, reserved
    or unspecified, and no IPv6 form (mapped, 6to4, Teredo, NAT64) of an IPv4 address that is one of those."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        embedded = [address.sixtofour, address.teredo[1] if address.teredo else None]
        if address in NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(inner is not None and not is_public_address(inner) for inner in embedded):
            return False
        if address.is_site_local:
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def any_address(_address: IPAddress) -> bool:
    """The policy that accepts every address (for operators who fetch from their own network)."""
    return True
