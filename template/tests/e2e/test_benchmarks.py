"""The shipped benchmark runs end to end: ``python -m benchmarks --quick``.

Only that it runs and reports every figure is checked, not the bars:
performance is measured by the benchmark itself, never asserted in a test
whose timing depends on the machine.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIGURES = [
    "health_live_ratio",
    "health_live_p99_under_logins",
    "login_throughput_vs_cores",
    "limited_vs_rejected_login",
    "resources_rps",
]


def test_a_quick_run_reports_every_figure(
    environment: dict[str, str], tmp_path: Path
) -> None:
    output = tmp_path / "latest.json"

    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(output.read_text(encoding="utf-8"))
    figures = results["figures"]
    assert [figure["key"] for figure in figures] == FIGURES
    assert all(math.isfinite(figure["value"]) for figure in figures)
    assert all(figure["value"] > 0 for figure in figures)
    assert results["client"]["ceiling_rps"] > 0
    assert results["quick"] is True
    for number, figure in enumerate(figures, start=1):
        row = rf"^{number}\s+{re.escape(figure['title'])}\s.*\s(pass|FAIL|ref)$"
        assert re.search(row, done.stdout, re.MULTILINE), done.stdout
