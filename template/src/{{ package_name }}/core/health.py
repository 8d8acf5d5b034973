"""Liveness and readiness.

Liveness only says the process answers. Readiness runs every dependency check
(database, rate limiter, ...) with a timeout and turns unready while the
service drains on shutdown, so load balancers stop sending new work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from .logging import get_logger

HealthCheck = Callable[[], Awaitable[None]]

_logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Readiness:
    """Outcome of the readiness checks: ``checks`` maps name to ``ok`` or why not."""

    ready: bool
    checks: dict[str, str] = field(default_factory=dict)


class HealthMonitor:
    """Run the registered readiness checks."""

    def __init__(
        self, checks: Mapping[str, HealthCheck], timeout_seconds: float = 2.0
    ) -> None:
        self._checks = dict(checks)
        self._timeout = timeout_seconds
        self.draining = False
        # Set by the server once every request in flight at shutdown finished.
        self.drained = False

    def add_check(self, name: str, check: HealthCheck) -> None:
        """Register another dependency check, e.g. an owner's external API."""
        self._checks[name] = check

    async def readiness(self) -> Readiness:
        """Run every check concurrently; unready if any fails or we drain."""
        names = list(self._checks)
        outcomes = await asyncio.gather(*(self._run(name) for name in names))
        checks = dict(zip(names, outcomes, strict=True))
        if self.draining:
            checks["shutdown"] = "draining"
        ready = not self.draining and all(v == "ok" for v in checks.values())
        return Readiness(ready=ready, checks=checks)

    async def _run(self, name: str) -> str:
        try:
            await asyncio.wait_for(self._checks[name](), self._timeout)
        except Exception:
            _logger.warning("health_check_failed", check=name, exc_info=True)
            return "unavailable"
        return "ok"
