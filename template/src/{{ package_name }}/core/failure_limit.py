"""A limit on failed attempts per key that holds however many run at once.

An account's login limit counts failures only, so a correct password is
never refused; yet an attempt is refused before it hashes, when its outcome
is still unknown. So each attempt in flight is counted as the failure it may
become: an attempt that would overdraw the key's failures left waits for an
earlier one to finish (a success clears the count), and a key with no
failures left is refused at once.

The waiting is per process. With a shared storage (Redis) every process
checks the same count, so at most ``amount`` attempts per process can run
past it at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from .errors import RateLimitedError
from .rate_limit import Limit, RateLimiter


class _Attempts:
    """One key's attempts in this process."""

    __slots__ = ("finished", "present", "running")

    def __init__(self) -> None:
        self.running = 0
        """Attempts under way, each a failure it may become."""
        self.present = 0
        """Attempts running or waiting: the entry is dropped at zero."""
        self.finished = asyncio.Event()
        """Set (and replaced) whenever a running attempt ends."""


class FailureLimit:
    """At most ``limit.amount`` failures per key in ``limit``'s window."""

    def __init__(self, limiter: RateLimiter, limit: Limit) -> None:
        self._limiter = limiter
        self._limit = limit
        self._keys: dict[str, _Attempts] = {}

    @asynccontextmanager
    async def attempt(self, key: str) -> AsyncIterator[None]:
        """Run one attempt for ``key`` once it cannot overdraw the limit.

        Raises:
            RateLimitedError: If ``key`` has no failures left (at once, or
                after the attempts it waited for failed).
            ExternalServiceError: If the limiter's storage is unreachable.
        """
        attempts = self._keys.get(key) or self._keys.setdefault(key, _Attempts())
        attempts.present += 1
        try:
            while True:
                finished = attempts.finished
                remaining = await self._limiter.remaining(self._limit, key)
                if finished.is_set():
                    # An attempt ended while the count was read: its failure
                    # may be missing from it, and it no longer runs. Read again.
                    continue
                if attempts.running < remaining:
                    break
                await finished.wait()
            attempts.running += 1
            try:
                yield
            finally:
                attempts.running -= 1
                attempts.finished.set()
                attempts.finished = asyncio.Event()
        finally:
            attempts.present -= 1
            if not attempts.present:
                del self._keys[key]

    async def failed(self, key: str) -> None:
        """Count one failure for ``key``.

        Raises:
            ExternalServiceError: If the limiter's storage is unreachable.
        """
        # A window another process filled meanwhile stays full: nothing to add.
        with suppress(RateLimitedError):
            await self._limiter.hit(self._limit, key)

    async def succeeded(self, key: str) -> None:
        """Forget the failures counted for ``key``.

        Raises:
            ExternalServiceError: If the limiter's storage is unreachable.
        """
        await self._limiter.reset(self._limit, key)
