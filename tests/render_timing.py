"""Print how long ``copier copy`` of each variant takes (the SPEC asks < 2 s).

A timing, not a test: machines differ, so nothing here asserts. Run with
``python -m tests.render_timing``. Every variant is rendered in this process;
the default one also as the README runs it, a ``copier`` command of its own
(its start-up and imports included).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from copier.errors import DirtyLocalWarning

from tests.combinations import SUPPORTED, TEMPLATE_ROOT
from tests.conftest import render_template


def main() -> None:
    """Render every supported variant once and print the wall time of each."""
    warnings.simplefilter("ignore", DirtyLocalWarning)
    with tempfile.TemporaryDirectory() as scratch:
        for combination in SUPPORTED:
            started = time.perf_counter()
            render_template(Path(scratch) / combination.id, combination.answers)
            elapsed = time.perf_counter() - started
            print(f"copier copy {combination.id}: {elapsed:.2f} s (target < 2 s)")
        command = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults"]
        started = time.perf_counter()
        subprocess.run(
            [*command, "--quiet", "--vcs-ref=HEAD", str(TEMPLATE_ROOT), "cli"],
            cwd=scratch,
            check=True,
        )
        elapsed = time.perf_counter() - started
        print(f"{' '.join(command[2:])}, a command of its own: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
