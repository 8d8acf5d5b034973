"""The one list of supported answer combinations, derived from `copier.yml`.

Every test that renders variants, and the `matrix` nox session through them,
takes its combinations from here, so adding a choice to `copier.yml` (one line)
adds its variants everywhere. Answers that the template must refuse go to
`UNSUPPORTED` instead.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
"""The template repository (holds `copier.yml`)."""

AXES = ("framework", "storage", "rate_limit_backend", "password_hasher")
"""Questions whose choices multiply into variants, in the order of the ids."""

OPTION_MODULES: dict[str, frozenset[str]] = {
    "fastapi": frozenset({"fastapi"}),
    "litestar": frozenset({"litestar"}),
    "sqlite": frozenset({"aiosqlite"}),
    "postgres": frozenset({"asyncpg", "psycopg", "psycopg2"}),
    "mysql": frozenset({"asyncmy", "aiomysql", "pymysql"}),
    "memory": frozenset(),
    "redis": frozenset({"redis"}),
    "bcrypt": frozenset({"bcrypt"}),
    "argon2": frozenset({"argon2"}),
}
"""Distribution/import names that only the given choice may bring in."""

COMPANIONS: dict[str, frozenset[str]] = {
    # argon2 services verify bcrypt hashes stored before a switch, then
    # re-hash them with argon2 on the next successful login.
    "argon2": frozenset({"bcrypt"}),
}
"""Choices whose variants also ship another choice's code and dependency."""

SERVICE_ENV: dict[str, str] = {
    "postgres": "DATABASE_URL",
    "mysql": "DATABASE_URL",
    "redis": "REDIS_URL",
}
"""Choices that need a server, and the variable that tells tests where it is."""


def load_questions() -> dict[str, Any]:
    """Read the questions of `copier.yml` (settings starting with `_` left out).

    Returns:
        Question name -> its settings.
    """
    text = (TEMPLATE_ROOT / "copier.yml").read_text(encoding="utf-8")
    config: dict[str, Any] = yaml.safe_load(text)
    return {name: spec for name, spec in config.items() if not name.startswith("_")}


def choices(question: str) -> tuple[str, ...]:
    """List the answer values a choice question offers.

    Args:
        question: The question name in `copier.yml`.

    Returns:
        The values, in `copier.yml` order.
    """
    offered = load_questions()[question]["choices"]
    values = offered.values() if isinstance(offered, dict) else offered
    return tuple(str(value) for value in values)


@dataclass(frozen=True)
class Combination:
    """One variant of the rendered service."""

    framework: str
    storage: str
    rate_limit_backend: str
    password_hasher: str

    @property
    def id(self) -> str:
        """Readable test id, such as ``fastapi-sqlite-memory-bcrypt``."""
        return "-".join(self.values)

    @property
    def values(self) -> tuple[str, ...]:
        """The chosen values, in `AXES` order."""
        return tuple(str(getattr(self, axis)) for axis in AXES)

    @property
    def answers(self) -> dict[str, str]:
        """The Copier answers that select this variant."""
        return dict(zip(AXES, self.values, strict=True))

    @property
    def services(self) -> tuple[str, ...]:
        """Choices of this variant that need a running server."""
        return tuple(value for value in self.values if value in SERVICE_ENV)

    def __str__(self) -> str:
        """Use the readable id wherever pytest prints a parameter."""
        return self.id


@dataclass(frozen=True)
class Unsupported:
    """Answers that Copier must refuse, and part of the message it must give."""

    answers: dict[str, str]
    message: str


UNSUPPORTED: list[Unsupported] = []
"""Combinations of valid choices that the template refuses (none yet)."""


def _is_refused(answers: dict[str, str]) -> bool:
    """Tell whether some `UNSUPPORTED` entry matches these answers."""
    return any(entry.answers.items() <= answers.items() for entry in UNSUPPORTED)


SUPPORTED: list[Combination] = [
    Combination(*values)
    for values in itertools.product(*(choices(axis) for axis in AXES))
    if not _is_refused(dict(zip(AXES, values, strict=True)))
]
"""Every variant the template renders and the matrix tests."""
