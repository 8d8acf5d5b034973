"""Each supported variant passes its own checks, run as its new owner would.

Slow: every variant gets its own environment from ``uv sync``. Run with
``nox -s matrix`` (``-- fastapi-sqlite`` picks variants by id).

Servers come from ``TEST_POSTGRES_URL``, ``TEST_MYSQL_URL`` and ``TEST_REDIS_URL``
(defaults: the servers on 127.0.0.1) and reach the variant as ``DATABASE_URL``
or ``REDIS_URL``. A variant whose server does not answer is skipped, unless
``REQUIRE_SERVICES=1``, where it fails.

The variants a worker runs, one after the other, share one mypy cache: mypy
checks again every module whose source differs from the cached one (it
compares hashes), so the results are a cold run's, without type-checking the
same dependencies again for each variant (about 10 s each). They also share
one environment (``UV_PROJECT_ENVIRONMENT``): ``uv sync`` makes it exactly the
variant's locked set, removing what the variant before needed, and the
packages both need keep their bytecode, which a fresh ``.venv`` compiles again
on the suite's first imports (about 5 s a variant).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.combinations import SERVICE_ENV, SUPPORTED, Combination, load_questions
from tests.conftest import render_template

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

pytestmark = pytest.mark.variant

SERVER_URLS = {
    "postgres": (
        "TEST_POSTGRES_URL",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
    ),
    "mysql": ("TEST_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1:3306/mysql"),
    "redis": ("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
}
"""Choice -> (variable overriding the server URL, default URL on this machine)."""

DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306, "redis": 6379}
SLOW_HASHERS = frozenset({"argon2"})
"""Hashers whose test logins cost the suite seconds (argon2: 19 MiB each)."""

SYNC = ("uv", "sync")
CHECKS = (
    ("uv", "run", "ruff", "format", "--check", "."),
    ("uv", "run", "ruff", "check", "."),
    ("uv", "run", "mypy"),
    ("uv", "run", "pytest"),
)
"""The rendered project's own checks, as its README gives them."""

OUR_SHELL_ONLY = frozenset(
    {
        "VIRTUAL_ENV",
        "UV_PROJECT_ENVIRONMENT",
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONDONTWRITEBYTECODE",
    }
)
"""Variables of the shell running the tests that a new owner's shell lacks.

With ``PYTHONDONTWRITEBYTECODE``, each service process a rendered suite starts
would compile its dependencies again (about 1.5 s a start).
"""

COMMAND_TIMEOUT = 1200
STUCK_TEST_SECONDS = 300
"""A rendered test running this long has its threads' stacks dumped."""
OUTPUT_TAIL = 15_000


def server_url(service: str) -> str:
    """Give the URL of the server a choice needs."""
    variable, default = SERVER_URLS[service]
    return os.environ.get(variable) or default


def answers_port(url: str, default_port: int) -> bool:
    """Tell whether something accepts TCP connections at the URL's address."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or default_port)
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def require_servers(combination: Combination) -> dict[str, str]:
    """Check the variant's servers answer and give the variables pointing at them.

    Returns:
        ``DATABASE_URL`` / ``REDIS_URL`` for the variant's servers.
    """
    env: dict[str, str] = {}
    for service in combination.services:
        url = server_url(service)
        if not answers_port(url, DEFAULT_PORTS[service]):
            reason = f"{combination.id}: no {service} server answers at {url}"
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
            pytest.skip(f"{reason}; set REQUIRE_SERVICES=1 to fail instead")
        env[SERVICE_ENV[service]] = url
    return env


def owner_environment(python_version: str, servers: dict[str, str]) -> dict[str, str]:
    """Build the environment of a new owner's shell: no outer venv or pytest state."""
    dropped = OUR_SHELL_ONLY | set(SERVICE_ENV.values())
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith(("PYTEST_", "COV_CORE_"))
    }
    env |= {"UV_PYTHON": python_version, "NO_COLOR": "1", "UV_NO_PROGRESS": "1"}
    # No UV_COMPILE_BYTECODE: the first process to import a module writes its
    # bytecode for the others, and compiling all of site-packages up front
    # costs more CPU than the suite's processes save (about 9 s a variant).
    env.pop("UV_COMPILE_BYTECODE", None)
    return env | servers


def checks_environment(
    combination: Combination, mypy_cache: Path, worker_venv: Path
) -> dict[str, str]:
    """Build the owner's environment for a variant's checks on this worker.

    The owner's shell (``owner_environment``), pointed at the worker's shared
    mypy cache and environment, with the variant's servers.
    """
    python_version = str(load_questions()["python_version"]["default"])
    env = owner_environment(python_version, require_servers(combination))
    return env | {
        "MYPY_CACHE_DIR": str(mypy_cache),
        "UV_PROJECT_ENVIRONMENT": str(worker_venv),
        "PYTEST_ADDOPTS": f"-o faulthandler_timeout={STUCK_TEST_SECONDS}",
    }


def uv_executable() -> str:
    """Find uv: the one running us (``uv run`` sets ``UV``), else PATH's."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        pytest.fail("uv is not installed: python3 -m pip install uv")
    return found


def run(command: tuple[str, ...], cwd: Path, env: dict[str, str]) -> str | None:
    """Run one uv command; give its output when it fails, else None."""
    try:
        done = subprocess.run(
            (uv_executable(), *command[1:]),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.output or ""
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        return f"timed out after {expired.timeout} s\n{output[-OUTPUT_TAIL:]}"
    if done.returncode == 0:
        return None
    return f"exit {done.returncode}\n{done.stdout[-OUTPUT_TAIL:]}"


def slowest_first(combinations: list[Combination]) -> list[Combination]:
    """Order variants so the run ends on quick ones, not one worker on a slow one.

    Each server a variant needs, and argon2's 19 MiB hashes, add about 5 to
    10 s to its suite.
    """
    return sorted(
        combinations,
        key=lambda c: (len(c.services), c.password_hasher in SLOW_HASHERS),
        reverse=True,
    )


@pytest.mark.parametrize("combination", slowest_first(SUPPORTED), ids=str)
def test_variant_passes_its_own_checks(
    combination: Combination,
    tmp_path: Path,
    mypy_cache: Path,
    worker_venv: Path,
    record_property: Callable[[str, object], None],
) -> None:
    env = checks_environment(combination, mypy_cache, worker_venv)
    started = time.monotonic()
    project = render_template(tmp_path / combination.id, combination.answers)
    failure = run(SYNC, project, env)
    record_property("setup", time.monotonic() - started)
    if failure:
        pytest.fail(f"{combination.id}: `uv sync` failed: {failure}")

    failures: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for command in CHECKS:
        started = time.monotonic()
        if failure := run(command, project, env):
            failures[" ".join(command)] = failure
        tool = command[2]
        seconds[tool] = seconds.get(tool, 0.0) + time.monotonic() - started
    for tool, spent in seconds.items():
        record_property(tool, spent)

    assert not failures, "\n\n".join(
        f"{combination.id}: `{command}` failed: {output}"
        for command, output in failures.items()
    )
