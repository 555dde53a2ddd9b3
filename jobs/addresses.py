"""Which addresses a webhook may reach: globally routable ones only, however they are spelled.

An IPv6 address can carry an IPv4 one inside it (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002:aabb:ccdd::/48``, Teredo ``2001::/32``, ISATAP
``…:5efe:a.b.c.d``); the embedded IPv4 address must be global too. The ranges Python's
``ipaddress`` still calls global but that are not routable on the Internet (deprecated
site-local, local-use NAT64, IANA's special-purpose IPv4 blocks) are refused explicitly.
"""

import ipaddress

IPv4 = ipaddress.IPv4Address
IPv6 = ipaddress.IPv6Address

# IANA special-purpose registry entries that are not globally reachable (RFC 6890 and later);
# some of them Python's ``is_global`` lets through.
NOT_GLOBAL_V4 = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.31.196.0/24",
        "192.52.193.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "192.175.48.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]
NOT_GLOBAL_V6 = [
    ipaddress.ip_network(n)
    for n in (
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible addresses
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo included
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4: checked through its embedded IPv4 below, refused if that is not
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # segment routing SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
]
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
TEREDO = ipaddress.ip_network("2001::/32")


def embedded_ipv4(address: IPv6) -> list[IPv4]:
    """The IPv4 addresses an IPv6 address carries (none for a plain IPv6 address)."""
    value = int(address)
    found: list[IPv4] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if value >> 32 == 0:  # IPv4-compatible ::a.b.c.d
        found.append(IPv4(value & 0xFFFFFFFF))
    if address in NAT64:
        found.append(IPv4(value & 0xFFFFFFFF))
    if address in SIX_TO_FOUR:
        found.append(IPv4((value >> 80) & 0xFFFFFFFF))
    if address in TEREDO:
        server, client = address.teredo  # type: ignore[misc]
        found += [server, client]
    if (
        (value >> 32) & 0xFDFFFFFF == 0x00005EFE and value >> 64 != 0
    ):  # ISATAP interface id ::0:5efe: / ::200:5efe:
        found.append(IPv4(value & 0xFFFFFFFF))
    return found


def _global_v4(address: IPv4) -> bool:
    return address.is_global and not any(address in net for net in NOT_GLOBAL_V4)


def is_public(address: IPv4 | IPv6) -> bool:
    """True only for an address routable on the public Internet, whatever its spelling."""
    if isinstance(address, IPv4):
        return _global_v4(address)
    inner = embedded_ipv4(address)
    if inner and not all(_global_v4(a) for a in inner):
        return False
    if address.ipv4_mapped is not None or address in NAT64 or address in SIX_TO_FOUR:
        return True  # a translation of a global IPv4 address
    return address.is_global and not any(address in net for net in NOT_GLOBAL_V6)


def parse(text: str) -> IPv4 | IPv6:
    """An address from getaddrinfo (IPv6 may carry a %zone)."""
    return ipaddress.ip_address(text.split("%")[0])
