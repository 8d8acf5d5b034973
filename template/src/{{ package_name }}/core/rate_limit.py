"""Rate limiting with the ``limits`` library's moving window.

The storage is chosen by URI (``async+memory://`` for one process,
``async+redis://...`` to share limits across processes and replicas). Storage
failures surface as :class:`ExternalServiceError`: limited operations fail
closed rather than run unlimited.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from .errors import ExternalServiceError, RateLimitedError


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``amount`` hits per key within any ``window_seconds``."""

    name: str
    amount: int
    window_seconds: int


class RateLimiter:
    """Count hits per (limit, key) in a sliding window."""

    def __init__(self, storage_uri: str, namespace: str = "limits") -> None:
        storage = storage_from_string(storage_uri, wrap_exceptions=True)
        if not isinstance(storage, Storage):  # pragma: no cover - config error
            msg = f"{storage_uri!r} is not an async storage URI"
            raise TypeError(msg)
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        self._namespace = namespace

    def _item(self, limit: Limit) -> RateLimitItemPerSecond:
        return RateLimitItemPerSecond(
            limit.amount, limit.window_seconds, namespace=self._namespace
        )

    async def hit(self, limit: Limit, key: str) -> None:
        """Count one hit for ``key``.

        Raises:
            RateLimitedError: If the key has used up its limit; the hit is not
                counted, and ``retry_after`` says when the window frees a slot.
            ExternalServiceError: If the limiter's storage is unreachable.
        """
        item = self._item(limit)
        try:
            if await self._strategy.hit(item, limit.name, key):
                return
            stats = await self._strategy.get_window_stats(item, limit.name, key)
        except StorageError as exc:
            raise ExternalServiceError("rate_limiter") from exc
        raise RateLimitedError(retry_after=math.ceil(stats.reset_time - time.time()))

    async def reset(self, limit: Limit, key: str) -> None:
        """Forget every hit counted for ``key``."""
        try:
            await self._strategy.clear(self._item(limit), limit.name, key)
        except StorageError as exc:
            raise ExternalServiceError("rate_limiter") from exc

    async def check(self) -> None:
        """Raise :class:`ExternalServiceError` if the storage is unreachable."""
        try:
            healthy = await self._storage.check()
        except (StorageError, OSError) as exc:  # pragma: no cover - redis only
            raise ExternalServiceError("rate_limiter") from exc
        if not healthy:  # pragma: no cover - redis only
            raise ExternalServiceError("rate_limiter")
