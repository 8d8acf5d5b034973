"""Password hashing, always off the event loop.

Hashing is deliberately slow, so it runs in a thread pool sized for the cores
(the hash libraries release the GIL): the event loop keeps serving while
several hashes run in parallel. The hashing threads run a few ``nice`` levels
below the event loop, so when every core is hashing, the loop's thread still
gets a core the moment a request arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

_T = TypeVar("_T")


def hashing_executor(niceness: int = 0) -> ThreadPoolExecutor:
    """Return a pool of one hashing thread per core.

    Args:
        niceness: How many ``nice`` levels below the caller its threads run
            (Linux sets it per thread; elsewhere it is ignored). Idle cores
            still hash at full speed; a busy event loop goes first.
    """
    return ThreadPoolExecutor(
        max_workers=os.cpu_count() or 1,
        thread_name_prefix="password-hash",
        initializer=_lower_thread_priority,
        initargs=(niceness,),
    )


def _lower_thread_priority(by: int) -> None:
    with contextlib.suppress(AttributeError, OSError):
        thread = threading.get_native_id()
        niceness = os.getpriority(os.PRIO_PROCESS, thread) + by
        os.setpriority(os.PRIO_PROCESS, thread, min(niceness, 19))


class PasswordHasher(ABC):
    """Hash and verify passwords without blocking the event loop."""

    def __init__(self, executor: ThreadPoolExecutor | None = None) -> None:
        self._executor = executor or hashing_executor()
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        """Return a salted hash of ``password``."""
        return await self._run(self._hash, password)

    async def verify(self, password: str, password_hash: str) -> bool:
        """Return whether ``password`` matches ``password_hash``."""
        return await self._run(self._verify, password, password_hash)

    async def dummy_hash(self) -> str:
        """Return the hash ``verify_dummy`` checks against, made on first use."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verification, for unknown accounts.

        Answering an unknown email faster than a wrong password would tell an
        attacker which emails are registered.
        """
        await self.verify(password, await self.dummy_hash())

    def close(self) -> None:
        """Stop the worker threads."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    @abstractmethod
    def needs_rehash(self, password_hash: str) -> bool:
        """Return whether a stored hash is weaker than the current settings."""

    @abstractmethod
    def _hash(self, password: str) -> str: ...

    @abstractmethod
    def _verify(self, password: str, password_hash: str) -> bool: ...

    async def _run(self, func: Callable[..., _T], *args: str) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, func, *args)
