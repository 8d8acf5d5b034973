"""Rate limiting with the ``limits`` library's moving window.

:class:`RateLimiter` and :class:`Limit` are the port; the ``limits`` storage
behind them is chosen by URI when the service is built (``bootstrap.py``).
Storage failures surface as :class:`ExternalServiceError`: limited operations
fail closed rather than run unlimited.
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.util import WindowStats

from .errors import ExternalServiceError, RateLimitedError
from .security import current_context, parse_ip

IPV6_CLIENT_PREFIX = 64
"""An IPv6 client is usually given a whole /64, so it is counted as one."""


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``amount`` hits per key within any ``window_seconds``.

    ``name`` keeps the counters of different limits apart; it must not contain
    a ``/``.
    """

    name: str
    amount: int
    window_seconds: int


_IN_PROCESS = "async+memory://"


class _InProcessStorage(MemoryStorage):
    """The ``limits`` in-process storage, with a ``clear`` its pruning survives.

    Expired windows are pruned by a background task that lists the keys, then
    reads each key's window in turn, awaiting between keys. A key deleted
    meanwhile (a successful login resets its account's count) made that task
    fail with ``KeyError``, stop pruning, and log an error (limits 5.8). Its
    window is emptied instead, and the next pruning drops it.
    """

    async def clear(self, key: str) -> None:
        """Forget every hit counted for ``key``."""
        self.storage.pop(key, None)
        self.expirations.pop(key, None)
        self.events[key] = []


class RateLimiter:
    """Count hits per (limit, key) in a sliding window."""

    def __init__(self, storage_uri: str, **options: Any) -> None:
        """Use the ``limits`` storage at ``storage_uri``.

        Args:
            storage_uri: An async storage URI, such as ``async+memory://``.
            **options: Passed to the storage, e.g. ``key_prefix``.

        Raises:
            TypeError: If the URI names a synchronous storage.
        """
        storage = (
            _InProcessStorage(wrap_exceptions=True)
            if storage_uri == _IN_PROCESS
            else storage_from_string(storage_uri, wrap_exceptions=True, **options)
        )
        if not isinstance(storage, Storage):
            msg = f"{storage_uri!r} is not an async storage URI (async+...)"
            raise TypeError(msg)
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)

    async def hit(self, limit: Limit, key: str) -> None:
        """Count one hit for ``key``.

        Raises:
            RateLimitedError: If the key has used up its limit; the hit is not
                counted, and ``retry_after`` says when the window frees a slot.
            ExternalServiceError: If the limiter's storage is unreachable.
        """
        item = _item(limit)
        try:
            if await self._strategy.hit(item, limit.name, key):
                return
            stats = await self._strategy.get_window_stats(item, limit.name, key)
        except StorageError as exc:
            raise ExternalServiceError("rate_limiter") from exc
        raise _refusal(stats)

    async def remaining(self, limit: Limit, key: str) -> int:
        """Return how many more hits ``key`` may make now; count none.

        Raises:
            RateLimitedError: If none, with ``retry_after`` as :meth:`hit` gives.
            ExternalServiceError: If the limiter's storage is unreachable.
        """
        try:
            stats = await self._strategy.get_window_stats(_item(limit), limit.name, key)
        except StorageError as exc:
            raise ExternalServiceError("rate_limiter") from exc
        if stats.remaining > 0:
            return stats.remaining
        raise _refusal(stats)

    async def limit_by_client_ip(self, limit: Limit) -> None:
        """Count one hit against ``limit`` for the client of the current request.

        The one way to throttle a sensitive use case per client address; the
        IP is the one ``RequestMiddleware`` resolved (forwarding headers
        only from ``TRUSTED_PROXIES``), so rotating headers does not escape it,
        and an IPv6 client is counted per /64, so rotating addresses within its
        own network does not either. Call it first, before any expensive work,
        for example in an owner's service that holds the container's limiter::

            RESET_LIMIT = Limit("password-reset", amount=5, window_seconds=3600)

            async def request_password_reset(self, email: str) -> None:
                await self._limiter.limit_by_client_ip(RESET_LIMIT)
                ...

        Calls outside an HTTP request (scripts, jobs) have no client and are
        not counted; nor is a loopback client: that is this machine, a local
        tool or a local proxy left out of ``TRUSTED_PROXIES``, whose clients
        would otherwise all share one count.

        Raises:
            RateLimitedError: If this client has used up the limit.
            ExternalServiceError: If the limiter's storage is unreachable.
        """
        context = current_context()
        if context is not None and not is_loopback(context.client_ip):
            await self.hit(limit, client_key(context.client_ip))

    async def reset(self, limit: Limit, key: str) -> None:
        """Forget every hit counted for ``key``."""
        try:
            await self._strategy.clear(_item(limit), limit.name, key)
        except StorageError as exc:
            raise ExternalServiceError("rate_limiter") from exc

    async def check(self) -> None:
        """Raise :class:`ExternalServiceError` if the storage does not answer."""
        if not await self._storage.check():
            raise ExternalServiceError("rate_limiter")

    async def close(self) -> None:
        """Release the storage's connections (in-process storage holds none)."""


def is_loopback(client_ip: str) -> bool:
    """Tell whether ``client_ip`` is this machine (``127.0.0.0/8``, ``::1``)."""
    address = parse_ip(client_ip)
    return address is not None and address.is_loopback


def client_key(client_ip: str) -> str:
    """Return the key a client is limited under: its IPv4 address or IPv6 /64."""
    address = parse_ip(client_ip)
    if address is None:
        return client_ip
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False)
        return str(network)
    return str(address)


def _item(limit: Limit) -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(limit.amount, limit.window_seconds)


def _refusal(stats: WindowStats) -> RateLimitedError:
    """The error for a full window: retry once its oldest hit expires."""
    return RateLimitedError(retry_after=math.ceil(stats.reset_time - time.time()))
