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
        requirement: The driver's requirement line in ``pyproject.toml``.
        default_url: Default ``DATABASE_URL``; ``{package}`` is the package name
            and ``{host}`` the server's host: ``localhost`` for the service run
            from a checkout, ``db`` inside `compose.yaml`.
        server_package: Debian/Ubuntu package with the server programs the
            outage tests run privately; empty for an embedded database.
    """

    dialect: str
    driver: str
    requirement: str
    default_url: str
    server_package: str = ""

    def url(self, host: str, package: str) -> str:
        """Return ``default_url`` for a server at ``host`` and a package name."""
        return self.default_url.format(host=host, package=package)


STORAGES: dict[str, Storage] = {
    "sqlite": Storage(
        dialect="sqlite",
        driver="aiosqlite",
        requirement="aiosqlite>=0.20",
        default_url="sqlite+aiosqlite:///./{package}.db",
    ),
    "postgres": Storage(
        dialect="postgresql",
        driver="asyncpg",
        requirement="asyncpg>=0.30",
        default_url="postgresql+asyncpg://postgres:postgres@{host}:5432/{package}",
        server_package="postgresql",
    ),
    "mysql": Storage(
        dialect="mysql",
        driver="asyncmy",
        requirement="asyncmy>=0.2.10",
        default_url="mysql+asyncmy://root:root@{host}:3306/{package}",
        server_package="mariadb-server-core",
    ),
}
"""Every storage choice; `copier.yml` offers a subset of these keys."""


@dataclass(frozen=True)
class Hasher:
    """What a `password_hasher` answer means for the rendered service.

    ``PASSWORD_HASH_ROUNDS`` is bcrypt's log2 cost, or argon2id's time cost
    (passes over OWASP's 19 MiB of memory).

    Attributes:
        requirements: Its requirement lines in ``pyproject.toml``.
        rounds: The default.
        min_rounds: The lowest accepted value; the rendered tests use it.
        max_rounds: The highest accepted value.
        timing_rounds: A cost at which one hash (10-20 ms) outweighs the rest
            of a login, so the rendered timing test can see a missing hash
            (argon2: over the 1 MiB the rendered tests' apps hash with).
    """

    requirements: tuple[str, ...]
    rounds: int
    min_rounds: int
    max_rounds: int
    timing_rounds: int


HASHERS: dict[str, Hasher] = {
    "bcrypt": Hasher(
        requirements=("bcrypt>=4.2",),
        rounds=12,
        min_rounds=4,
        max_rounds=31,
        timing_rounds=8,
    ),
    # bcrypt stays, to verify (and so upgrade) hashes from before a switch.
    # OWASP's floor is 2 passes over 19 MiB; the default adds one.
    "argon2": Hasher(
        requirements=("argon2-cffi>=23.1", "bcrypt>=4.2"),
        rounds=3,
        min_rounds=2,
        max_rounds=100,
        timing_rounds=32,
    ),
}
"""Every password hasher choice; `copier.yml` offers a subset of these keys."""

LABELS = {
    "fastapi": "FastAPI",
    "litestar": "Litestar",
    "sqlite": "SQLite",
    "postgres": "PostgreSQL",
    "mysql": "MySQL/MariaDB",
    "memory": "process memory",
    "redis": "Redis",
}
"""How the README names each choice."""

ROUTER_TYPES = {
    "fastapi": ("fastapi", "APIRouter", "routes"),
    "litestar": ("litestar.types", "ControllerRouterHandler", "controllers"),
}
"""Framework -> (module, name) of what owners register, and their package."""

COMBINATION_KEYS = ("framework", "storage", "rate_limit_backend", "password_hasher")
"""Answers that together pick a variant, in the order of `combination_id`."""


def needed_servers(answers: dict[str, Any]) -> list[dict[str, str]]:
    """Return the servers a render needs, the database first.

    Each names its `compose.yaml` service (a database server is ``db``), its
    kind (the macro of that name in ``template/includes/`` describes its
    container), the variable pointing at it, its URL inside `compose.yaml` and
    in CI, the Debian package whose programs the outage tests run privately,
    and what each test run creates on it and removes.
    """
    servers = []
    storage_name = str(answers.get("storage"))
    storage = STORAGES.get(storage_name)
    if storage and storage.server_package:
        package = answers.get("package_name", "")
        servers.append(
            {
                "service": "db",
                "kind": storage_name,
                "variable": "DATABASE_URL",
                "compose_url": storage.url("db", package),
                "ci_url": storage.url("localhost", package),
                "package": storage.server_package,
                "scratch": "database",
            }
        )
    if answers.get("rate_limit_backend") == "redis":
        servers.append(
            {
                "service": "redis",
                "kind": "redis",
                "variable": "REDIS_URL",
                "compose_url": "redis://redis:6379/0",
                "ci_url": "redis://localhost:6379/0",
                "package": "redis-server",
                "scratch": "Redis key prefix",
            }
        )
    return servers


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
        "uses_database_server": storage_name in {"postgres", "mysql"},
        "uses_sql": True,
        "uses_redis": answers.get("rate_limit_backend") == "redis",
        "uses_bcrypt": answers.get("password_hasher") == "bcrypt",
        "uses_argon2": answers.get("password_hasher") == "argon2",
    }
    derived["framework_label"] = LABELS.get(str(framework), "")
    derived["storage_label"] = LABELS.get(str(storage_name), "")
    derived["rate_limit_label"] = LABELS.get(str(answers.get("rate_limit_backend")), "")
    derived["servers"] = servers = needed_servers(answers)
    derived["compose_servers"] = " ".join(s["service"] for s in servers)
    derived["server_variables"] = " and ".join(f"`{s['variable']}`" for s in servers)
    derived["test_server_scratch"] = " and ".join(s["scratch"] for s in servers)
    if router := ROUTER_TYPES.get(str(framework)):
        (
            derived["router_module"],
            derived["router_type"],
            derived["routes_package"],
        ) = router
    if isinstance(python_version := answers.get("python_version"), str):
        derived["python_version_nodot"] = python_version.replace(".", "")
    if storage := STORAGES.get(str(storage_name)):
        package = answers.get("package_name", "")
        derived["db_driver"] = storage.driver
        derived["db_requirement"] = storage.requirement
        derived["database_dialect"] = storage.dialect
        derived["default_database_url"] = storage.url("localhost", package)
    if hasher := HASHERS.get(str(answers.get("password_hasher"))):
        derived["hasher_requirements"] = hasher.requirements
        derived["default_hash_rounds"] = hasher.rounds
        derived["min_hash_rounds"] = hasher.min_rounds
        derived["max_hash_rounds"] = hasher.max_rounds
        derived["timing_hash_rounds"] = hasher.timing_rounds
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
