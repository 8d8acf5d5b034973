"""Every supported variant renders cleanly and holds only what it selected."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from packaging.requirements import Requirement

from tests.combinations import (
    AXES,
    COMPANIONS,
    OPTION_MODULES,
    SUPPORTED,
    Combination,
    choices,
)
from tests.conftest import render_template

if TYPE_CHECKING:
    from collections.abc import Iterator

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
    """Map each choice the variant did not select to the names it must not use.

    A companion of a selected choice (bcrypt beside argon2) counts as selected.
    """
    companions = set().union(
        *(COMPANIONS.get(value, ()) for value in combination.values)
    )
    return {
        value: OPTION_MODULES[value] | {value}
        for axis in AXES
        for value in choices(axis)
        if value != getattr(combination, axis) and value not in companions
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


def test_python_version_pins_the_minimum_for_uv(project: Path) -> None:
    pinned = (project / ".python-version").read_text("utf-8").strip()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))

    assert pyproject["project"]["requires-python"] == f">={pinned}"


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


def settings_defaults(project: Path) -> dict[str, str | None]:
    """Map each field of the rendered ``Settings`` to its literal default, if any."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    source = (project / "src" / answers["package_name"] / "settings.py").read_text(
        "utf-8"
    )
    settings = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    defaults: dict[str, str | None] = {}
    for statement in settings.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(
            statement.target, ast.Name
        ):
            value = statement.value
            if isinstance(value, ast.Call):  # Field(default=...)
                value = next(
                    (k.value for k in value.keywords if k.arg == "default"), None
                )
            literal = value if isinstance(value, ast.Constant) else None
            defaults[statement.target.id] = (
                None if literal is None else str(literal.value)
            )
    return defaults


def test_env_example_lists_every_setting_with_its_default(project: Path) -> None:
    listed = dict(
        line.removeprefix("# ").split("  #")[0].split("=", 1)
        for line in (project / ".env.example").read_text("utf-8").splitlines()
        if "=" in line.split("  #")[0]
    )

    for name, default in settings_defaults(project).items():
        assert name.upper() in listed, f"{name.upper()} missing from .env.example"
        if default is not None and default != "None" and listed[name.upper()]:
            assert listed[name.upper()].lower() == default.lower(), name.upper()


def run_linter(tool: str, *args: str, cwd: Path) -> None:
    """Run a linter shipped in the dev group; fail with its output."""
    executable = Path(sys.executable).with_name(tool)
    done = subprocess.run(
        [str(executable), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, f"{tool} {' '.join(args)}:\n{done.stdout}{done.stderr}"


LONGEST_NAMES = {
    "project_name": "Payments Reconciliation & Settlement Batch Engine, Card Networks",
    "project_slug": "payments-reconciliation-settlement-batch-engine-for-card-network",
    "package_name": "payments_reconciliation_settlement_batch",
}
"""The longest names the questions allow (64, 64 and 40 characters)."""


@pytest.mark.parametrize("chosen", SUPPORTED, ids=str)
def test_the_longest_names_pass_the_projects_own_linters(
    chosen: Combination, tmp_path: Path
) -> None:
    assert [len(name) for name in LONGEST_NAMES.values()] == [64, 64, 40]
    project = render_template(tmp_path / "project", chosen.answers | LONGEST_NAMES)

    run_linter("ruff", "check", "--no-cache", ".", cwd=project)
    run_linter("ruff", "format", "--check", "--no-cache", ".", cwd=project)


def test_dockerfile_passes_hadolint(project: Path) -> None:
    run_linter("hadolint", "Dockerfile", cwd=project)


def test_compose_file_validates(project: Path) -> None:
    run_linter(
        "docker-compose", "--file", "compose.yaml", "config", "--quiet", cwd=project
    )


def test_workflows_pass_actionlint(project: Path) -> None:
    workflows = sorted(str(p) for p in (project / ".github/workflows").glob("*.yml"))
    assert workflows
    run_linter("actionlint", *workflows, cwd=project)


def test_compose_and_ci_run_redis_for_the_redis_limiter_only(
    project: Path, combination: Combination
) -> None:
    compose = yaml.safe_load((project / "compose.yaml").read_text("utf-8"))
    workflow = (project / ".github/workflows/ci.yml").read_text("utf-8")
    job = yaml.safe_load(workflow)["jobs"]["checks"]
    wanted = combination.rate_limit_backend == "redis"

    assert ("redis" in compose["services"]) is wanted
    assert ("redis" in job.get("services", {})) is wanted
    assert ("REDIS_URL" in job.get("env", {})) is wanted
    assert ("redis-server" in workflow) is wanted
    if wanted:
        assert "healthcheck" in compose["services"]["redis"]
        assert compose["services"]["app"]["depends_on"]["redis"] == {
            "condition": "service_healthy"
        }


def test_compose_and_ci_run_the_database_server_the_storage_needs(
    project: Path, combination: Combination
) -> None:
    compose = yaml.safe_load((project / "compose.yaml").read_text("utf-8"))
    workflow = (project / ".github/workflows/ci.yml").read_text("utf-8")
    job = yaml.safe_load(workflow)["jobs"]["checks"]
    wanted = combination.storage != "sqlite"

    assert ("db" in compose["services"]) is wanted
    assert ("db" in job.get("services", {})) is wanted
    assert ("DATABASE_URL" in job["env"]) is wanted
    assert job["env"]["REQUIRE_SERVICES"] == "1"
    if wanted:
        db = compose["services"]["db"]
        app = compose["services"]["app"]
        assert "healthcheck" in db
        assert app["depends_on"]["db"] == {"condition": "service_healthy"}
        assert "@db:" in app["environment"]["DATABASE_URL"]
        published = int(db["ports"][0].rsplit(":", 2)[-1])
        assert f"@localhost:{published}/" in job["env"]["DATABASE_URL"]
        assert f"@localhost:{published}/" in default_database_url(project)


def default_database_url(project: Path) -> str:
    """Read the default of ``DATABASE_URL`` from the rendered settings."""
    settings = next(project.glob("src/*/settings.py")).read_text("utf-8")
    found = re.search(r'database_url: str = Field\(\s*default="([^"]+)"', settings)
    assert found, "no default DATABASE_URL in settings.py"
    return found.group(1)


def test_benchmarks_ship_with_a_bare_app_of_the_chosen_framework(
    project: Path, combination: Combination
) -> None:
    benchmarks = project / "benchmarks"
    bare_app = (benchmarks / "bare_app.py").read_text("utf-8")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    dev = [Requirement(spec).name for spec in pyproject["dependency-groups"]["dev"]]

    assert (benchmarks / "__init__.py").is_file()
    assert (benchmarks / "__main__.py").is_file()
    assert f"from {combination.framework} import" in bare_app
    assert "pytest-benchmark" in dev
    assert "benchmarks" in pyproject["tool"]["mypy"]["files"]
    # The micro-benchmarks run on demand, never in the project's `pytest`.
    assert pyproject["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests"]
