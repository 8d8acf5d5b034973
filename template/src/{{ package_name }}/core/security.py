"""Security context: who is calling, from where, under which correlation id.

The client IP comes from the socket peer unless that peer is a trusted proxy;
only then is the one forwarding header the owner named believed: the rightmost
``X-Forwarded-For`` hop that is not itself a trusted proxy, or ``X-Real-IP``.
The other header is never read, so a client cannot choose its own IP by
sending the header its proxies pass on untouched.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from typing import Literal, NamedTuple, get_args

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ForwardedIPHeader = Literal["x-forwarded-for", "x-real-ip"]
"""The forwarding header the trusted proxies set (``FORWARDED_IP_HEADER``)."""

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_VARIANT = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}
"""A random hex digit -> one with the RFC 9562 variant bits (``10xx``): 8 to b."""


class SecurityContext(NamedTuple):
    """Facts about the current request that security decisions and logs need.

    Immutable, and a tuple: built on every request, it costs less than a
    frozen dataclass.
    """

    client_ip: str
    user_agent: str
    correlation_id: str


_current: ContextVar[SecurityContext | None] = ContextVar(
    "security_context", default=None
)


# The variable's own methods rather than functions wrapping them: each runs on
# every request, and a Python call costs more than the work it wraps.
current_context = _current.get
"""Return the context of the request being served, if any."""
set_context = _current.set
"""Make a context current; returns a token for :func:`reset_context`."""
reset_context = _current.reset
"""Restore the context that was current before :func:`set_context`."""


def current_correlation_id() -> str:
    """Return the current request's correlation id, or a fresh one outside one."""
    context = _current.get()
    return context.correlation_id if context else new_request_id()


def new_request_id() -> str:
    """Return a fresh random UUID 4 as text, e.g. ``1b4e28ba-2fa1-4d3b-a3f5-...``.

    What ``str(uuid.uuid4())`` returns (122 random bits, with the version and
    variant in place), made :data:`_IDS_AT_ONCE` at a time: most requests
    need one, and a batch costs one read of the system's randomness.
    """
    try:
        return _fresh_ids.pop()
    except IndexError:
        batch = _make_request_ids(_IDS_AT_ONCE)
        _fresh_ids.extend(batch[1:])
        return batch[0]


_IDS_AT_ONCE = 256
_fresh_ids: list[str] = []
"""Request ids made but not yet handed out; a forked child starts afresh."""
os.register_at_fork(after_in_child=_fresh_ids.clear)


def _make_request_ids(count: int) -> list[str]:
    """Return ``count`` random UUID 4s as text, from one read of randomness."""
    digits = os.urandom(16 * count).hex()
    return [_as_uuid4(digits[at : at + 32]) for at in range(0, 32 * count, 32)]


def _as_uuid4(digits: str) -> str:
    """Spell 32 random hex digits as a UUID 4, version and variant in place."""
    return (
        f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
        f"{_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:]}"
    )


def accept_request_id(candidate: str | None) -> str:
    """Keep a client's request id if it is safe to log and echo, else make one."""
    if candidate and _REQUEST_ID.fullmatch(candidate):
        return candidate
    return new_request_id()


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parse IPs and CIDRs such as ``10.0.0.1`` or ``10.0.0.0/8``.

    Raises:
        ValueError: If an entry is not an IP address or network.
    """
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


class ClientIPResolver:
    """Decide the client IP from the socket peer and one forwarding header.

    Only ``header`` is believed, and only from a trusted proxy:
    ``x-forwarded-for`` (a list of hops, read from the right) or ``x-real-ip``
    (one address). The other header is ignored whatever it says.
    """

    def __init__(
        self,
        trusted_proxies: Sequence[IPNetwork] = (),
        header: ForwardedIPHeader = "x-forwarded-for",
    ) -> None:
        if header not in get_args(ForwardedIPHeader):
            msg = f"unknown forwarding header {header!r}"
            raise ValueError(msg)
        self._trusted = tuple(trusted_proxies)
        self._real_ip = header == "x-real-ip"
        self.header = header.encode()
        """The header's lower-case name as ASGI spells it, e.g. ``b"x-real-ip"``."""

    def is_trusted(self, address: str) -> bool:
        """Return whether ``address`` is one of the trusted proxies."""
        ip = parse_ip(address)
        return ip is not None and any(ip in network for network in self._trusted)

    def resolve(self, peer: str | None, forwarded: str | None) -> str:
        """Return the IP of the client behind any trusted proxies.

        Args:
            peer: The socket peer address (``None`` for unix sockets).
            forwarded: The raw value of :attr:`header`, if any (several such
                headers joined with commas).
        """
        client = peer or "unknown"
        if not self._trusted or not self.is_trusted(client):
            return client
        if self._real_ip:
            address = _hop_address(forwarded.strip()) if forwarded else None
            return address or client
        hops = [hop.strip() for hop in (forwarded or "").split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _hop_address(hop)
            if address is None:
                return client
            client = address
            if not self.is_trusted(address):
                break
        return client


def _hop_address(hop: str) -> str | None:
    """Return the IP of a forwarding hop, normalised, without any port.

    Accepts ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1`` and
    ``[2001:db8::1]:5678`` (some proxies append the port); ``None`` otherwise.
    """
    host = hop
    if hop.startswith("["):
        host, bracket, _ = hop[1:].partition("]")
        if not bracket:
            return None
    elif hop.count(":") == 1:
        host = hop.partition(":")[0]
    ip = parse_ip(host)
    return None if ip is None else str(ip)


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Return the address ``text`` spells, IPv4-mapped IPv6 as plain IPv4."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip
