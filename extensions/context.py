"""Flags and names derived from the answers, so templates stay plain.

Templates and file names read ``{% if uses_redis %}`` or ``{{ db_driver }}``
instead of repeating comparisons against the raw answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copier_template_extensions import ContextHook


@dataclass(frozen=True)
class Storage:
    """What a `storage` answer means for the rendered service.

    Attributes:
        dialect: SQLAlchemy dialect name.
        driver: Async DBAPI driver package.
        default_url: Default ``DATABASE_URL``; ``{package}`` is the package name.
    """

    dialect: str
    driver: str
    default_url: str


STORAGES: dict[str, Storage] = {
    "sqlite": Storage(
        dialect="sqlite",
        driver="aiosqlite",
        default_url="sqlite+aiosqlite:///./{package}.db",
    ),
    "postgres": Storage(
        dialect="postgresql",
        driver="asyncpg",
        default_url="postgresql+asyncpg://postgres:postgres@localhost:5432/{package}",
    ),
    "mysql": Storage(
        dialect="mysql",
        driver="asyncmy",
        default_url="mysql+asyncmy://root:root@localhost:3306/{package}",
    ),
}
"""Every storage choice; `copier.yml` offers a subset of these keys."""

COMBINATION_KEYS = ("framework", "storage", "rate_limit_backend", "password_hasher")
"""Answers that together pick a variant, in the order of `combination_id`."""


def derive(answers: dict[str, Any]) -> dict[str, Any]:
    """Compute the derived flags and names from the answers given so far.

    Copier also renders question defaults and validators through this hook,
    before every question is answered, so missing answers are tolerated.

    Args:
        answers: The Copier render context.

    Returns:
        The derived entries to add to the context.
    """
    framework = answers.get("framework")
    storage_name = answers.get("storage")
    derived: dict[str, Any] = {
        "is_fastapi": framework == "fastapi",
        "is_litestar": framework == "litestar",
        "uses_sqlite": storage_name == "sqlite",
        "uses_postgres": storage_name == "postgres",
        "uses_mysql": storage_name == "mysql",
        "uses_sql": True,
        "uses_redis": answers.get("rate_limit_backend") == "redis",
        "uses_bcrypt": answers.get("password_hasher") == "bcrypt",
        "uses_argon2": answers.get("password_hasher") == "argon2",
    }
    if isinstance(python_version := answers.get("python_version"), str):
        derived["python_version_nodot"] = python_version.replace(".", "")
    if storage := STORAGES.get(str(storage_name)):
        package = answers.get("package_name", "")
        derived["db_driver"] = storage.driver
        derived["database_dialect"] = storage.dialect
        derived["default_database_url"] = storage.default_url.format(package=package)
    if all(answers.get(key) for key in COMBINATION_KEYS):
        derived["combination_id"] = "-".join(
            str(answers[key]) for key in COMBINATION_KEYS
        )
    return derived


class ContextUpdater(ContextHook):
    """Add the derived flags and names to every Copier render context."""

    def hook(self, context: dict[str, Any]) -> None:
        """Update the render context in place.

        Args:
            context: The Copier render context.
        """
        context.update(derive(context))
