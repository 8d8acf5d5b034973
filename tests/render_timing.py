"""Print how long ``copier copy`` of each variant takes (the SPEC asks < 2 s).

A timing, not a test: machines differ, so nothing here asserts. Run with
``python -m tests.render_timing``.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

from copier.errors import DirtyLocalWarning

from tests.combinations import SUPPORTED
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


if __name__ == "__main__":
    main()
