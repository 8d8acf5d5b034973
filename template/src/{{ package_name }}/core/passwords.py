"""Password hashing, always off the event loop.

Hashing is deliberately slow, so it runs in a thread pool sized for the cores
(the hash libraries release the GIL): the event loop keeps serving while
several hashes run in parallel.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

_T = TypeVar("_T")


class PasswordHasher(ABC):
    """Hash and verify passwords without blocking the event loop."""

    def __init__(self, executor: ThreadPoolExecutor | None = None) -> None:
        self._executor = executor or ThreadPoolExecutor(
            max_workers=os.cpu_count() or 1, thread_name_prefix="password-hash"
        )
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        """Return a salted hash of ``password``."""
        return await self._run(self._hash, password)

    async def verify(self, password: str, password_hash: str) -> bool:
        """Return whether ``password`` matches ``password_hash``."""
        return await self._run(self._verify, password, password_hash)

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verification, for unknown accounts.

        Answering an unknown email faster than a wrong password would tell an
        attacker which emails are registered.
        """
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(16))
        await self.verify(password, self._dummy_hash)

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
