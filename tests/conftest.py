"""Fixtures that render the template from this working tree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import copier
import pytest

from tests.combinations import TEMPLATE_ROOT

if TYPE_CHECKING:
    from pathlib import Path


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
