"""The manual's commands, run the way a new user runs them, so the docs cannot rot.

A fenced block in ``docs/*.md`` or ``README.md`` is marked by an HTML comment on
the line right before it (see docs/contributing.md, "The manual"):

- ``<!-- test: NAME -->``: part of scenario ``NAME`` of that page. The
  scenario's blocks run in page order, each in ``bash -euo pipefail``, starting
  in a fresh git snapshot of this working tree (so ``.`` is the template and
  ``../my-service`` lands beside it). The working directory and exported
  variables carry over from block to block, as in one terminal. A shell block
  (``bash``) is run; any other block with ``title="path"`` is written to that
  path, as a reader saves the file shown.
- ``<!-- test: NAME background -->``: a server started in another terminal; the
  next blocks run once its port answers, and it gets Ctrl+C (SIGINT) when the
  scenario ends or the next server starts.
- ``<!-- test: NAME exit=N -->``: the block must fail with exit status ``N``.
- ``<!-- untested: REASON -->``: a command that cannot run here.

Every shell block carries one of them. Ports ``8000``-``8099`` in shell blocks
(``localhost:8000``, ``PORT=8001``) are mapped to free ports, and ``PORT`` is
preset to the one standing for ``8000``, so runs never clash with a server
already there.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from tests.combinations import TEMPLATE_ROOT, choices, load_questions
from tests.conftest import render_template
from tests.test_update import snapshot_template
from tests.test_variants import OUR_SHELL_ONLY

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.docs

DOCS = TEMPLATE_ROOT / "docs"
PAGES = (*sorted(DOCS.glob("*.md")), TEMPLATE_ROOT / "README.md")
"""Every page whose commands are checked."""

SHELL = frozenset({"bash", "sh", "shell", "console"})
MAX_UNTESTED = 10
"""Commands that cannot run here (docker, git push...) must stay few."""

BLOCK_TIMEOUT = 900
SERVER_START_TIMEOUT = 120
SERVER_STOP_TIMEOUT = 30
OUTPUT_TAIL = 12_000

_MARK = re.compile(r"^\s*<!--\s*(test|untested)\s*:\s*(.*?)\s*-->\s*$")
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
_TITLE = re.compile(r'title="([^"]*)"')
_PATH = re.compile(r"`((?:src/my_service|tests|benchmarks)/[^`\s<*]*)`")
_PORT = re.compile(r"(?<=[:=])80(?P<n>\d\d)\b")


@dataclass(frozen=True)
class Block:
    """One fenced block of a page and the mark before it, if any."""

    page: Path
    line: int
    lang: str
    title: str | None
    body: str
    mark: str | None
    arguments: tuple[str, ...]

    @property
    def where(self) -> str:
        """``page.md:line``, for failure messages."""
        return f"{self.page.relative_to(TEMPLATE_ROOT)}:{self.line}"

    @property
    def is_shell(self) -> bool:
        """Whether the block shows commands to type."""
        return self.lang in SHELL

    @property
    def scenarios(self) -> tuple[str, ...]:
        """The scenarios a tested block belongs to (``<!-- test: a,b -->``)."""
        names = self.arguments[0].split(",") if self.arguments else []
        return tuple(name for name in names if name)

    @property
    def background(self) -> bool:
        """Whether the block starts a server that keeps running."""
        return "background" in self.arguments[1:]

    @property
    def expected_exit(self) -> int:
        """The exit status the block must end with."""
        for argument in self.arguments[1:]:
            if argument.startswith("exit="):
                return int(argument.removeprefix("exit="))
        return 0


def parse_blocks(page: Path) -> list[Block]:
    """Return the fenced blocks of ``page``, in order, with their marks."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, info = opening["indent"], opening["fence"], opening["info"]
        mark = _MARK.match(lines[index - 1]) if index else None
        line = index + 1
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index].removeprefix(indent))
            index += 1
        title = _TITLE.search(info)
        blocks.append(
            Block(
                page=page,
                line=line,
                lang=(info.split() or [""])[0].strip("{}."),
                title=title[1] if title else None,
                body="\n".join(body) + "\n",
                mark=mark[1] if mark else None,
                arguments=tuple(mark[2].split()) if mark else (),
            )
        )
        index += 1
    return blocks


ALL_BLOCKS = [block for page in PAGES for block in parse_blocks(page)]


def scenarios() -> dict[str, list[Block]]:
    """Group the tested blocks into scenarios named ``page-name``."""
    grouped: dict[str, list[Block]] = {}
    for block in ALL_BLOCKS:
        for name in block.scenarios if block.mark == "test" else ():
            grouped.setdefault(f"{block.page.stem}-{name}", []).append(block)
    return grouped


# --- The marks themselves -------------------------------------------------------


def test_every_shell_block_is_tested_or_says_why_not() -> None:
    unmarked = [b.where for b in ALL_BLOCKS if b.is_shell and b.mark is None]

    assert not unmarked, "mark these with <!-- test: ... --> or <!-- untested: ... -->"


def test_marks_are_well_formed() -> None:
    for block in ALL_BLOCKS:
        if block.mark == "untested":
            assert block.arguments, f"{block.where}: say why it is untested"
            assert block.is_shell, f"{block.where}: only commands can be untested"
        elif block.mark == "test":
            assert block.scenarios, f"{block.where}: name the scenario"
            assert block.is_shell or block.title, f"{block.where}: no title= path"
            flags = set(block.arguments[1:]) - {"background"}
            assert all(flag.startswith("exit=") for flag in flags), block.where


def test_untested_commands_are_few() -> None:
    untested = [b.where for b in ALL_BLOCKS if b.mark == "untested"]

    assert len(untested) <= MAX_UNTESTED, untested


# --- Facts the manual states, checked against the template ----------------------


def backticked(page: str) -> set[str]:
    """Return every inline code span of a docs page."""
    return set(re.findall(r"`([^`\n]+)`", (DOCS / page).read_text(encoding="utf-8")))


def test_questions_page_names_every_question_and_choice() -> None:
    spans = backticked("questions.md")
    for name, spec in load_questions().items():
        assert name in spans, f"questions.md does not explain {name}"
        if "choices" in spec:
            missing = set(choices(name)) - spans
            assert not missing, f"questions.md misses {name} choices {missing}"


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The default service and one with every other choice, rendered once."""
    root = tmp_path_factory.mktemp("renders")
    others = {
        "framework": "litestar",
        "storage": "postgres",
        "rate_limit_backend": "redis",
        "password_hasher": "argon2",
    }
    return {
        "default": render_template(root / "default"),
        "others": render_template(root / "others", others),
    }


def settings_fields(settings_py: Path) -> set[str]:
    """Return the field names of the rendered ``Settings`` class."""
    tree = ast.parse(settings_py.read_text(encoding="utf-8"))
    (settings,) = (
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    return {
        statement.target.id
        for statement in settings.body
        if isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.target.id != "model_config"
    }


def test_operations_page_documents_exactly_the_settings(
    renders: dict[str, Path],
) -> None:
    fields: set[str] = set()
    for project in renders.values():
        fields |= settings_fields(project / "src/my_service/settings.py")
    table = re.findall(
        r"^\| ((?:`[A-Z0-9_]+`(?:, )?)+) \|",
        (DOCS / "operations.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    documented = {name.lower() for row in table for name in re.findall(r"`(\w+)`", row)}

    assert fields - documented == set(), "settings missing from operations.md"
    assert documented - fields == set(), "operations.md documents unknown settings"


def test_paths_in_the_manual_exist_in_a_rendered_service(
    renders: dict[str, Path],
) -> None:
    written = {block.title for block in ALL_BLOCKS if block.mark == "test"}
    missing = {
        f"{page.name}: {path}"
        for page in DOCS.glob("*.md")
        for path in re.findall(_PATH, page.read_text(encoding="utf-8"))
        if path not in written
        and not path.endswith("...")
        and not any(
            (root / path).exists() for root in (TEMPLATE_ROOT, *renders.values())
        )
    }

    assert not missing


# --- Running the scenarios ------------------------------------------------------


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers(port: int) -> bool:
    """Tell whether something accepts connections on ``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


SERVICE_VARIABLES = frozenset(
    {"HOST", "PORT", "ENVIRONMENT", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
)


def new_user_environment() -> dict[str, str]:
    """This machine's environment without our virtualenvs, pytest or settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in OUR_SHELL_ONLY | SERVICE_VARIABLES
        and not name.startswith(("PYTEST_", "COV_CORE_", "NOX_"))
    }
    env["PATH"] = os.pathsep.join(
        entry
        for entry in env.get("PATH", "").split(os.pathsep)
        if entry and not (Path(entry).parent / "pyvenv.cfg").exists()
    )
    return env | {
        "NO_COLOR": "1",
        "UV_NO_PROGRESS": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


_KEPT_OUT = frozenset({"PWD", "OLDPWD", "SHLVL", "_"})


@dataclass
class Terminal:
    """The shell state a reader carries from one block to the next."""

    cwd: Path
    env: dict[str, str]
    state: Path
    ports: dict[str, int] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None
    server_log: Path | None = None

    def script(self, block: Block) -> str:
        """The block's commands; a foreground block saves the shell state at exit.

        A server's terminal is another terminal: its ``cd`` and ``export`` stay
        there.
        """
        body = _PORT.sub(lambda m: str(self.port(m["n"])), block.body)
        save = shlex.quote(str(self.state))
        trap = (
            ""
            if block.background
            else (f"trap 'pwd > {save}/cwd; env -0 > {save}/env' EXIT\n")
        )
        # -a: every variable set is exported, so it reaches the next block.
        return f"{trap}set -aeuo pipefail\n{body}"

    def port(self, number: str) -> int:
        """The free port standing for ``80<number>``."""
        return self.ports.setdefault(number, free_port())

    def restore(self) -> None:
        """Take over the directory and variables the last block ended with."""
        self.cwd = Path((self.state / "cwd").read_text(encoding="utf-8").strip())
        pairs = (self.state / "env").read_bytes().decode().split("\0")
        self.env = {
            name: value
            for name, _, value in (pair.partition("=") for pair in pairs if pair)
            if name not in _KEPT_OUT
        }

    def run(self, block: Block) -> None:
        """Run one shell block to its end; fail with its output if it fails."""
        done = subprocess.run(
            ["bash", "-c", self.script(block)],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=BLOCK_TIMEOUT,
            check=False,
        )
        output = done.stdout.decode(errors="replace")
        if done.returncode != block.expected_exit:
            fail(block, f"exit {done.returncode}, not {block.expected_exit}", output)
        self.restore()

    def start(self, block: Block) -> None:
        """Start a server block in the background and wait for its port."""
        self.stop()
        port = self.port("00")
        if explicit := re.search(r"\bPORT=(\d+)", self.script(block)):
            port = int(explicit[1])
        self.server_log = self.state / f"server-{block.line}.log"
        with self.server_log.open("wb") as log:
            self.server = subprocess.Popen(
                ["bash", "-c", self.script(block)],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not answers(port):
            if self.server.poll() is not None or time.monotonic() > deadline:
                output = self.server_log.read_text(errors="replace")
                self.stop()
                fail(block, f"nothing answered on port {port}", output)
            time.sleep(0.2)

    def stop(self) -> None:
        """Press Ctrl+C in the server's terminal and wait for it to end."""
        if self.server is None:
            return
        server, self.server = self.server, None
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
                pytest.fail(f"the server did not stop on Ctrl+C: {self.server_log}")

    def write(self, block: Block) -> None:
        """Save a file block where its title says, as the reader would."""
        assert block.title
        target = self.cwd / block.title
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.body, encoding="utf-8")


def fail(block: Block, what: str, output: str) -> NoReturn:
    """Fail the test naming the block, showing its commands and output."""
    pytest.fail(
        f"{block.where}: {what}\n--- block ---\n{block.body}"
        f"--- output (tail) ---\n{output[-OUTPUT_TAIL:]}",
        pytrace=False,
    )


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A new user's terminal, in a fresh snapshot of the template."""
    state = tmp_path / "state"
    state.mkdir()
    shell = Terminal(
        cwd=snapshot_template(tmp_path / "template"),
        env=new_user_environment(),
        state=state,
    )
    shell.env["PORT"] = str(shell.port("00"))
    yield shell
    shell.stop()


SCENARIOS = scenarios()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_runs_as_written(name: str, terminal: Terminal) -> None:
    for block in SCENARIOS[name]:
        if not block.is_shell:
            terminal.write(block)
        elif block.background:
            terminal.start(block)
        else:
            terminal.run(block)
    terminal.stop()
