"""The client address that rate limits count, from what the server saw of the connection.

IPv6 clients count per /64 network: one host usually holds a whole /64, so counting single
addresses would let it take a fresh one for every attempt.
"""

import ipaddress
from collections.abc import Iterable
from typing import Final

CLIENT_ADDRESS_KEY: Final = "x-client-address"
"""gRPC metadata of a layered REST process: the address of the client it serves."""

IPV6_PREFIX = 64


def client_key(address: str | None) -> str | None:
    """The counted form of an IP address (IPv6: its /64); None when `address` is not one."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def rest_client(
    remote_address: str | None, forwarded_for: str | None, proxy_hops: int
) -> str | None:
    """The REST client: the connection's address, or with `proxy_hops` trusted proxies in
    front, the address the outermost of them appended to `X-Forwarded-For`.

    Entries left of that one were written by the client itself and are never believed. A
    request that did not pass through enough proxies counts as its connection's address.
    """
    if proxy_hops > 0 and forwarded_for:
        entries = [entry.strip() for entry in forwarded_for.split(",")]
        if len(entries) >= proxy_hops:
            forwarded = client_key(entries[-proxy_hops])
            if forwarded is not None:
                return forwarded
    return client_key(remote_address)


def parse_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The comma-separated addresses or networks of `text`; ValueError names a bad entry."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"Not an IP address or network: {entry!r}") from None
    return tuple(networks)


def peer_ip(peer: str) -> str | None:
    """The IP of a gRPC peer (`ipv4:10.0.0.1:5000`, `ipv6:[::1]:5000`); None for others."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv4":
        return rest.rpartition(":")[0] or None
    if kind == "ipv6":
        return rest.rpartition(":")[0].strip("[]") or None
    return None


def grpc_client(
    peer: str,
    forwarded: str | None,
    trusted: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> str | None:
    """The gRPC client: the peer, or the address a trusted peer (a layered REST process)
    forwarded in `x-client-address`."""
    address = peer_ip(peer)
    if forwarded is not None and address is not None:
        ip = ipaddress.ip_address(address)
        if any(ip in network for network in trusted):
            # A layered REST process forwards the counted form: an IPv6 client as its /64.
            forwarded_key = client_key(forwarded.partition("/")[0])
            if forwarded_key is not None:
                return forwarded_key
    return client_key(address)
