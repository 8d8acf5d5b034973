"""`copier update` on a service its owner has changed, the way teams use it.

Each test builds a throw-away git repository of the template (an old commit
of this repository, or this working tree with its uncommitted changes), tags
releases in it, renders an older release, edits the service as an owner would,
moves the template on, updates, and checks the merge: no conflicts, owner edits
intact, the template's fix in, and the service's own checks still green.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import copier
import pytest
import yaml

from tests.combinations import SUPPORTED, TEMPLATE_ROOT, Combination
from tests.test_variants import CHECKS, SYNC, checks_environment, require_servers, run

pytestmark = pytest.mark.update

OLDEST_RELEASE = "0.1.0"
OLDEST_RELEASE_COMMIT = "bd0c14b54d6b191e4c636278faf5d9cd1bf1a79f"
"""Release 0.1.0, the oldest supported: the first commit whose CI passed."""

NEXT_RELEASE = "0.2.0"
"""The tag the working tree gets; a final release, as copier skips pre-releases."""

SharedDirs = tuple[Path, Path]
"""The worker's mypy cache and environment (``tests/conftest.py``)."""

MIDDLEWARE = Path("template/src/{{ package_name }}/web/middleware.py")
PATTERN_FIX = '(b"x-content-type-options", b"nosniff"),'
"""A security header the newer release adds to every response."""

UPDATED = [
    c
    for c in SUPPORTED
    if c.id in {"fastapi-sqlite-memory-bcrypt", "fastapi-postgres-redis-bcrypt"}
]


def git(cwd: Path, *args: str) -> str:
    """Run git quietly in ``cwd`` and return its output."""
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit_all(repo: Path, message: str) -> None:
    """Commit every change in ``repo``."""
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "--message", message)


def new_repository(path: Path) -> Path:
    """Create an empty git repository at ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    return path


def copy_working_tree(template: Path) -> None:
    """Replace the files of ``template`` with this working tree's (tracked and new)."""
    for entry in template.iterdir():
        if entry.name != ".git":
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    listed = git(
        TEMPLATE_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"
    )
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE_ROOT / name
        if source.is_file():
            target = template / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def snapshot_template(dst: Path) -> Path:
    """Copy this working tree (tracked and new files) into a fresh repository."""
    copy_working_tree(new_repository(dst))
    commit_all(dst, "template snapshot")
    return dst


def export_commit(template: Path, commit: str) -> None:
    """Write the tree of a commit of this repository into ``template``."""
    archive = subprocess.run(
        ["git", "archive", commit], cwd=TEMPLATE_ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(template)], input=archive.stdout, check=True)


def release(template: Path, version: str, message: str) -> None:
    """Commit everything in ``template`` and tag it ``version``."""
    commit_all(template, message)
    git(template, "tag", version)


def release_pattern_fix(template: Path, version: str) -> None:
    """Make the template's newer release: a security header on every response."""
    middleware = template / MIDDLEWARE
    text = middleware.read_text(encoding="utf-8")
    marker = '(b"x-request-id", request_id),'
    assert marker in text
    middleware.write_text(
        text.replace(marker, f"{marker}\n                    {PATTERN_FIX}"),
        encoding="utf-8",
    )
    release(template, version, "Send X-Content-Type-Options: nosniff")


OWNER_ROUTE = '''"""Orders: the owner's own route."""

from __future__ import annotations

from fastapi import APIRouter

from ..dependencies import ContainerDep

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/greeting")
async def greeting(container: ContainerDep) -> dict[str, str]:
    """Say hello with the owner's own setting."""
    return {"greeting": container.settings.orders_greeting}
'''

OWNER_TEST = '''"""The owner's route, registered through hooks.py."""

from __future__ import annotations

import httpx


async def test_greeting_uses_the_owner_setting(client: httpx.AsyncClient) -> None:
    response = await client.get("/orders/greeting")

    assert response.json() == {"greeting": "hello"}
'''

OWNER_README = "\n## Orders\n\nOur team's own paragraph about the orders route.\n"


def replace_once(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of ``old``; fail loudly if it is not there."""
    assert text.count(old) == 1, f"expected one {old!r}"
    return text.replace(old, new)


def edit_as_owner(project: Path) -> str:
    """Add a route through the hooks, a setting, a dependency and a README note.

    The edits are committed, as an owner commits before `copier update`.

    Returns:
        The service's package name.
    """
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    package = str(answers["package_name"])
    source = project / "src" / package
    (source / "web/fastapi/routes/orders.py").write_text(OWNER_ROUTE, encoding="utf-8")
    (project / "tests/api/test_orders.py").write_text(OWNER_TEST, encoding="utf-8")
    hooks = source / "hooks.py"
    text = replace_once(
        hooks.read_text(encoding="utf-8"),
        "from .core.errors import ServiceError",
        "from .core.errors import ServiceError\nfrom .web.fastapi.routes import orders",
    )
    text = replace_once(text, "    return ()", "    return (orders.router,)")
    hooks.write_text(text, encoding="utf-8")
    owner_settings = source / "owner_settings.py"
    with owner_settings.open("a", encoding="utf-8") as settings:
        settings.write('\n    orders_greeting: str = "hello"\n')
    with (project / "README.md").open("a", encoding="utf-8") as readme:
        readme.write(OWNER_README)
    pyproject = project / "pyproject.toml"
    text = replace_once(
        pyproject.read_text(encoding="utf-8"),
        "dependencies = [\n",
        'dependencies = [\n    "humanize>=4.9",\n',
    )
    pyproject.write_text(text, encoding="utf-8")
    commit_all(project, "Owner: orders route, setting, dependency, README")
    return package


def assert_owner_edits_kept(project: Path, package: str) -> None:
    """Every edit of `edit_as_owner` is still in the service."""
    source = project / "src" / package
    assert (source / "web/fastapi/routes/orders.py").read_text() == OWNER_ROUTE
    assert (project / "tests/api/test_orders.py").read_text() == OWNER_TEST
    assert "return (orders.router,)" in (source / "hooks.py").read_text()
    assert "orders_greeting" in (source / "owner_settings.py").read_text()
    assert OWNER_README in (project / "README.md").read_text(encoding="utf-8")
    assert '"humanize>=4.9"' in (project / "pyproject.toml").read_text()


def released_commit(project: Path) -> str:
    """Give the template release the service was last rendered from."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return str(answers["_commit"])


def assert_clean_merge(project: Path) -> None:
    """No conflict markers and no rejected hunks anywhere in the project."""
    assert not list(project.rglob("*.rej"))
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts and ".venv" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "<<<<<<<" not in text, f"conflict in {path}"


def run_checks(project: Path, combination: Combination, shared: SharedDirs) -> None:
    """Run the service's own checks as its owner would.

    In the worker's shared environment and mypy cache, as the variant tests
    do: the same checks, without compiling a fresh environment's bytecode
    and filling a cold mypy cache in each test (about 10 s each).
    """
    env = checks_environment(combination, *shared)
    for command in (SYNC, *CHECKS):
        failure = run(command, project, env)
        assert failure is None, f"`{' '.join(command)}` failed: {failure}"


@pytest.fixture
def shared(mypy_cache: Path, worker_venv: Path) -> SharedDirs:
    """The worker's mypy cache and environment, shared with the variant tests."""
    return mypy_cache, worker_venv


def require_commit(commit: str, version: str) -> None:
    """Fail in one line when ``commit`` is not in this checkout (a shallow clone)."""
    present = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        check=False,
    )
    if present.returncode != 0:
        pytest.fail(
            f"commit {commit} (release {version}) is missing from this checkout "
            "(a shallow clone?): run `git fetch --unshallow`",
            pytrace=False,
        )


def render_release(
    tmp_path: Path, combination: Combination, version: str, commit: str | None = None
) -> tuple[Path, Path]:
    """Release the template as ``version``, render it and commit the service.

    Args:
        tmp_path: Where the template and service repositories are created.
        combination: The answers to render.
        version: The tag of the release.
        commit: A commit of this repository to release; None for the working tree.

    Returns:
        The template repository and the rendered service's repository.
    """
    template = new_repository(tmp_path / "template")
    if commit is None:
        copy_working_tree(template)
    else:
        export_commit(template, commit)
    release(template, version, f"Release {version}")
    project = tmp_path / "service"
    copier.run_copy(
        str(template), project, data=combination.answers, defaults=True, unsafe=True
    )
    new_repository(project)
    commit_all(project, "Render the service")
    return template, project


@pytest.mark.parametrize("combination", UPDATED, ids=str)
def test_update_keeps_owner_edits_and_brings_the_fix(
    combination: Combination, tmp_path: Path, shared: SharedDirs
) -> None:
    require_servers(combination)
    template, project = render_release(tmp_path, combination, "0.1.0")
    package = edit_as_owner(project)
    release_pattern_fix(template, "0.2.0")

    copier.run_update(project, defaults=True, overwrite=True, unsafe=True)

    assert_clean_merge(project)
    assert PATTERN_FIX in (project / "src" / package / "web/middleware.py").read_text()
    assert_owner_edits_kept(project, package)
    assert released_commit(project) == "0.2.0"
    run_checks(project, combination, shared)


def test_update_from_the_oldest_release_to_the_working_tree(
    tmp_path: Path, shared: SharedDirs
) -> None:
    require_commit(OLDEST_RELEASE_COMMIT, OLDEST_RELEASE)
    default = next(c for c in SUPPORTED if c.id == "fastapi-sqlite-memory-bcrypt")
    template, project = render_release(
        tmp_path, default, OLDEST_RELEASE, OLDEST_RELEASE_COMMIT
    )
    assert released_commit(project) == OLDEST_RELEASE
    package = edit_as_owner(project)
    copy_working_tree(template)
    release(template, NEXT_RELEASE, "This working tree")

    copier.run_update(project, defaults=True, overwrite=True, unsafe=True)

    assert_clean_merge(project)
    assert_owner_edits_kept(project, package)
    assert released_commit(project) == NEXT_RELEASE
    run_checks(project, default, shared)


def files_of(root: Path) -> dict[str, bytes]:
    """Every file of a project, git's own left out, by its relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.mark.parametrize(
    ("question", "answer"),
    [("rate_limit_backend", "redis"), ("storage", "postgres")],
    ids=["rate_limit_backend=redis", "storage=postgres"],
)
def test_update_can_change_an_answer(
    tmp_path: Path, question: str, answer: str
) -> None:
    """The service becomes, file for file, a new render with the new answer.

    Files the old answer alone needed go, the new one's come. That render
    passes its own checks in ``tests/test_variants.py``: running them again
    here would prove nothing more.
    """
    default = next(c for c in SUPPORTED if c.id == "fastapi-sqlite-memory-bcrypt")
    changed = replace(default, **{question: answer})
    assert changed in SUPPORTED
    template, project = render_release(tmp_path, default, "0.1.0")

    copier.run_update(
        project,
        data={question: answer},
        defaults=True,
        overwrite=True,
        unsafe=True,
    )

    assert_clean_merge(project)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers[question] == answer
    fresh = tmp_path / "fresh"
    copier.run_copy(
        str(template), fresh, data=changed.answers, defaults=True, unsafe=True
    )
    updated, rendered = files_of(project), files_of(fresh)
    differing = sorted(
        path
        for path in updated.keys() | rendered.keys()
        if updated.get(path) != rendered.get(path)
    )
    assert not differing, f"the update differs from a new render in {differing}"
