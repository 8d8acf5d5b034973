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

import pytest

from benchmarks.__main__ import run_key_prefix

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


def test_a_run_counts_under_a_prefix_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RATE_LIMIT_KEY_PREFIX", raising=False)

    first, second = run_key_prefix(), run_key_prefix()

    assert re.fullmatch(r"benchmarks-[0-9a-f]{8}", first)
    assert first != second


def test_a_run_counts_inside_the_callers_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A test's throw-away prefix: deleting its keys deletes the run's too.
    monkeypatch.setenv("RATE_LIMIT_KEY_PREFIX", "test-0123")

    assert re.fullmatch(r"test-0123:benchmarks-[0-9a-f]{8}", run_key_prefix())

    monkeypatch.setenv("RATE_LIMIT_KEY_PREFIX", "p" * 64)

    assert len(run_key_prefix()) <= 64
