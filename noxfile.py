"""Jobs of the template repository; `nox --list` shows them, `nox` runs them."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "tests", "matrix"]


def install_dev_group(session: nox.Session) -> None:
    """Install the locked `dev` dependency group into the session's venv."""
    session.run_install(
        "uv",
        "sync",
        "--locked",
        "--group",
        "dev",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Lint, format-check and type-check the template's own Python."""
    install_dev_group(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the fast generator tests: questions, rendering, drift guards."""
    install_dev_group(session)
    session.run("pytest", "-m", "not variant", *session.posargs)
    session.run("python", "-m", "tests.render_timing")


@nox.session
def matrix(session: nox.Session) -> None:
    """Render every variant and run its own checks (`-- fastapi-sqlite` picks)."""
    install_dev_group(session)
    selection = ["-k", " or ".join(session.posargs)] if session.posargs else []
    session.run("pytest", "-m", "variant", "-n", "auto", *selection)
