"""Every supported variant renders cleanly and holds only what it selected."""

from __future__ import annotations

import ast
import re
import tomllib
from typing import TYPE_CHECKING

import pytest
import yaml
from packaging.requirements import Requirement

from tests.combinations import (
    AXES,
    OPTION_MODULES,
    SUPPORTED,
    Combination,
    choices,
)
from tests.conftest import render_template

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# GitHub Actions expressions (`${{ matrix.python }}`) are the one `{{` a
# rendered project is expected to hold.
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")
WORD = re.compile(r"[a-z0-9]+")


@pytest.fixture(scope="module", params=SUPPORTED, ids=str)
def combination(request: pytest.FixtureRequest) -> Combination:
    """Each supported combination, with a readable id."""
    chosen: Combination = request.param
    return chosen


@pytest.fixture(scope="module")
def project(combination: Combination, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The variant rendered once for all the checks of this module."""
    return render_template(
        tmp_path_factory.mktemp(combination.id) / "project", combination.answers
    )


def rendered_files(project: Path) -> Iterator[Path]:
    """Yield every rendered file, outside `.git`."""
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(project).parts:
            yield path


def unselected(combination: Combination) -> dict[str, frozenset[str]]:
    """Map each choice the variant did not select to the names it must not use."""
    return {
        value: OPTION_MODULES[value] | {value}
        for axis in AXES
        for value in choices(axis)
        if value != getattr(combination, axis)
    }


def requirement_words(project: Path) -> set[str]:
    """Collect the words of every requirement's name and extras in pyproject."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    specs: list[str] = list(pyproject.get("project", {}).get("dependencies", []))
    optional = pyproject.get("project", {}).get("optional-dependencies", {})
    groups = pyproject.get("dependency-groups", {})
    for listed in (*optional.values(), *groups.values()):
        specs += [spec for spec in listed if isinstance(spec, str)]
    words: set[str] = set()
    for spec in specs:
        requirement = Requirement(spec)
        for part in (requirement.name, *requirement.extras):
            words |= set(WORD.findall(part.lower()))
    return words


def test_no_jinja_syntax_survives(project: Path) -> None:
    leftovers = [
        str(path.relative_to(project))
        for path in rendered_files(project)
        if JINJA_LEFTOVER.search(str(path.relative_to(project)))
        or JINJA_LEFTOVER.search(path.read_text("utf-8", errors="replace"))
    ]

    assert not leftovers, f"Jinja syntax left in {leftovers}"


def test_no_jinja_suffix_survives(project: Path) -> None:
    suffixed = [
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.name.endswith(".jinja")
    ]

    assert not suffixed


def test_answers_file_records_the_combination(
    project: Path, combination: Combination
) -> None:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))

    assert combination.answers.items() <= answers.items()
    assert "_src_path" in answers


def test_pyproject_depends_on_selected_options_only(
    project: Path, combination: Combination
) -> None:
    words = requirement_words(project)
    selected = {value: OPTION_MODULES[value] for value in combination.values}
    forbidden = {
        value: sorted(names & words)
        for value, names in unselected(combination).items()
        if names & words
    }
    missing = [
        value for value, names in selected.items() if names and not names & words
    ]

    assert not forbidden, f"dependencies of unselected options: {forbidden}"
    assert not missing, f"no dependency for selected options: {missing}"


def test_no_file_or_import_of_unselected_options(
    project: Path, combination: Combination
) -> None:
    offenders: list[str] = []
    for value, names in unselected(combination).items():
        imports = re.compile(rf"^\s*(?:from|import)\s+(?:{'|'.join(names)})\b", re.M)
        for path in rendered_files(project):
            relative = path.relative_to(project)
            if names & set(WORD.findall(str(relative).lower())):
                offenders.append(f"{relative} is named after {value}")
            elif path.suffix == ".py" and imports.search(path.read_text("utf-8")):
                offenders.append(f"{relative} imports {value}")

    assert not offenders


def test_structured_files_parse(project: Path) -> None:
    broken: list[str] = []
    for path in rendered_files(project):
        text = path.read_text("utf-8", errors="replace")
        try:
            if path.suffix == ".py":
                ast.parse(text, filename=str(path))
            elif path.suffix == ".toml":
                tomllib.loads(text)
            elif path.suffix in {".yml", ".yaml"}:
                list(yaml.safe_load_all(text))
        except (SyntaxError, tomllib.TOMLDecodeError, yaml.YAMLError) as error:
            broken.append(f"{path.relative_to(project)}: {error}")

    assert not broken
