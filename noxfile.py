"""Jobs of the template repository; `nox --list` shows them, `nox` runs them."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
# `rendered` runs what `docs`, `matrix` and `update` run, in one pool of workers.
nox.options.sessions = ["lint", "tests", "rendered"]


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
    session.run(
        "pytest", "-m", "not variant and not update and not docs", *session.posargs
    )
    session.run("python", "-m", "tests.render_timing")


def build_manual(session: nox.Session) -> None:
    """Build the manual with `mkdocs build --strict` into the session's tmp."""
    site = Path(session.create_tmp()) / "site"
    session.run("mkdocs", "build", "--strict", "--site-dir", str(site))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the manual (`mkdocs build --strict`) and run every command it shows."""
    install_dev_group(session)
    build_manual(session)
    session.run("pytest", "-m", "docs", "-n", "auto", *session.posargs)


def run_pooled(session: nox.Session, markers: str, *args: str) -> None:
    """Run the tests ``markers`` select on every core.

    worksteal: a worker out of tests takes queued ones from the other.
    """
    session.run("pytest", "-m", markers, "-n", "auto", "--dist", "worksteal", *args)


@nox.session
def matrix(session: nox.Session) -> None:
    """Render every variant and run its own checks (`-- fastapi-sqlite` picks)."""
    install_dev_group(session)
    selection = ["-k", " or ".join(session.posargs)] if session.posargs else []
    run_pooled(session, "variant", *selection)


@nox.session
def update(session: nox.Session) -> None:
    """Render an older release, edit it as an owner, `copier update`, re-check."""
    install_dev_group(session)
    run_pooled(session, "update", *session.posargs)


@nox.session
def rendered(session: nox.Session) -> None:
    """Run `docs`, `matrix` and `update` together, as `uv run nox` does.

    One pool of workers for all three: a worker out of tests takes queued
    ones from the other, whichever session they belong to, so no worker
    waits for the other at the end of each session. Collection order puts
    the manual's scenarios and the updates first, the quickest variants last.
    """
    install_dev_group(session)
    build_manual(session)
    run_pooled(session, "docs or variant or update", *session.posargs)
