"""Figures, their bars, and how a run is shown: a table on stdout and JSON."""

from __future__ import annotations

import json
import operator
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
}


@dataclass(frozen=True)
class Bar:
    """A figure passes when ``value <op> threshold``."""

    op: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.op} {self.threshold:g}"


@dataclass(frozen=True)
class Figure:
    """One measured figure of a run.

    Attributes:
        key: Stable name in the JSON output.
        title: What was measured, for the table.
        value: The figure the bar applies to.
        unit: How ``value`` reads (``x`` for ratios, ``req/s``, ...).
        bar: The template's bar, or ``None`` for a figure given for reference.
        detail: The measurements behind ``value``, in words.
        data: The same measurements, as numbers, for the JSON output.
    """

    key: str
    title: str
    value: float
    unit: str
    bar: Bar | None
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        """Whether the bar is met; ``None`` without a bar."""
        if self.bar is None:
            return None
        return _COMPARE[self.bar.op](self.value, self.bar.threshold)

    @property
    def verdict(self) -> str:
        """``pass``, ``FAIL`` or ``ref`` (no bar)."""
        if self.passed is None:
            return "ref"
        return "pass" if self.passed else "FAIL"

    def shown_value(self) -> str:
        """The value as the table shows it."""
        if self.unit == "req/s":
            return f"{self.value:,.0f} req/s"
        return f"{self.value:.3g}{self.unit}"


def machine() -> dict[str, Any]:
    """Describe the machine the figures were measured on."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    return {
        "cores": os.cpu_count() or 1,
        "cpu": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (empty where unknown)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:  # pragma: no cover - platforms without getloadavg
        return []


def render_table(figures: Sequence[Figure]) -> str:
    """Return the figures as a plain-text table with a detail line each."""
    rows = [("#", "figure", "value", "bar", "result")]
    rows += [
        (
            str(number),
            figure.title,
            figure.shown_value(),
            str(figure.bar) if figure.bar else "-",
            figure.verdict,
        )
        for number, figure in enumerate(figures, start=1)
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines: list[str] = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
        else:
            lines.append(" " * (widths[0] + 2) + figures[index - 1].detail)
    return "\n".join(lines)


def write_json(path: Path, summary: dict[str, Any], figures: Sequence[Figure]) -> None:
    """Write the run's summary and every figure to ``path``."""
    document = {
        **summary,
        "figures": [
            {**asdict(figure), "bar": str(figure.bar) if figure.bar else None}
            | {"passed": figure.passed}
            for figure in figures
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


_STARTED = time.monotonic()


def say(message: str) -> None:
    """Print a progress line to stderr, keeping stdout for the results."""
    print(
        f"[{time.monotonic() - _STARTED:5.1f} s] {message}", file=sys.stderr, flush=True
    )
