"""Fixtures that render the template from this working tree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import copier
import pytest

from tests.combinations import TEMPLATE_ROOT

if TYPE_CHECKING:
    from pathlib import Path

    from _pytest.terminal import TerminalReporter


class Render(Protocol):
    """Render the template into a new folder and return that folder."""

    def __call__(self, answers: dict[str, str] | None = None) -> Path:
        """Render with `answers`, the rest from the defaults."""
        ...


def render_template(dst: Path, answers: dict[str, str] | None = None) -> Path:
    """Render the template as ``copier copy --trust --defaults`` would.

    ``vcs_ref="HEAD"`` makes Copier clone this repository and add the
    uncommitted changes on top, so tests see the working tree. Without it
    Copier would render the newest PEP 440 tag.

    Args:
        dst: Destination folder; Copier creates it.
        answers: Answers given as ``--data``; the others take their defaults.

    Returns:
        The destination folder.
    """
    copier.run_copy(
        str(TEMPLATE_ROOT),
        dst,
        data=answers or {},
        defaults=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    return dst


@pytest.fixture
def render(tmp_path: Path) -> Render:
    """Render the template into a fresh folder under ``tmp_path``."""
    counter = iter(range(1_000_000))

    def _render(answers: dict[str, str] | None = None) -> Path:
        return render_template(tmp_path / f"rendered-{next(counter)}", answers)

    return _render


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache per pytest worker: two mypy runs never share one at once.

    (They can crash when they do: seen once, an INTERNAL ERROR.)
    """
    return tmp_path_factory.getbasetemp() / "mypy-cache"


@pytest.fixture(scope="session")
def worker_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One environment per pytest worker, synced to each rendered service in turn."""
    return tmp_path_factory.getbasetemp() / "venv"


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Print how long each variant took to set up and to check (``nox -s matrix``).

    The variant tests record their timings as properties, which also travel
    back from xdist workers.
    """
    rows: dict[str, dict[str, Any]] = {}
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            timings = dict(report.user_properties)
            if report.when == "call" and "setup" in timings:
                rows[report.nodeid.rpartition("[")[2].rstrip("]")] = timings
    if not rows:
        return
    columns = ["setup", "ruff", "mypy", "pytest"]
    terminalreporter.section("variant timings (s): render + uv sync, then checks")
    terminalreporter.write_line(
        f"{'variant':34} " + " ".join(f"{name:>7}" for name in [*columns, "total"])
    )
    for variant, timings in sorted(rows.items()):
        # The ruff column holds both ruff commands: format check and lint.
        values = [float(timings.get(name, 0.0)) for name in columns]
        cells = " ".join(f"{value:7.1f}" for value in [*values, sum(values)])
        terminalreporter.write_line(f"{variant:34} {cells}")
