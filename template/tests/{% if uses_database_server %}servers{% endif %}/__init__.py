"""Private database servers: started, stopped and thrown away by one test.

The outage tests cannot stop the shared server behind ``DATABASE_URL``, so
they run one of their own on a free port, from the server binaries installed
on this machine. Without those binaries the tests are skipped, or fail when
``REQUIRE_SERVICES=1`` (as in CI).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest


def find_program(name: str, folders: Iterable[str] = ()) -> str:
    """Return the path of a server program, from ``PATH`` or ``folders``.

    Skips the calling test if it is missing; fails it under
    ``REQUIRE_SERVICES=1``.
    """
    search = os.pathsep.join([os.environ.get("PATH", ""), *folders])
    if found := shutil.which(name, path=search):
        return found
    reason = f"{name} is not installed: the private database server cannot run"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(f"{reason}; set REQUIRE_SERVICES=1 to fail instead")


def newest_first(pattern: str) -> list[str]:
    """Return the absolute paths matching a glob, highest version number first."""
    paths = [str(path) for path in Path("/").glob(pattern.lstrip("/"))]
    return sorted(paths, key=lambda p: [int(n) for n in re.findall(r"\d+", p)])[::-1]
