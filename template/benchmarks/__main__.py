"""Measure the service against the template's performance bars.

``uv run python -m benchmarks`` (a minute or two; ``--quick`` for a smoke run of
a few seconds) prints a table of figures, each with its bar and pass/fail, and
writes them to ``benchmarks/results/latest.json``. It exits non-zero when a bar
is missed only with ``--strict``; a server that fails or answers wrongly always
stops the run with exit status 2.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .loadgen import LoadGenerator
from .report import Figure, load_average, machine, render_table, say, write_json
from .scenarios import (
    FULL,
    QUICK,
    Plan,
    client_ceiling,
    hashing,
    limited_attempts,
    login_token,
    middleware_overhead,
    register,
    resource_listing,
    time_one_hash,
)
from .servers import PROJECT_ROOT, ServerError, ServerProcess
from .target import PACKAGE, QUICK_HASH_ROUNDS, STORAGE, VARIANT, Settings

DEFAULT_OUTPUT = PROJECT_ROOT / "benchmarks" / "results" / "latest.json"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short smoke run at the cheapest hash cost: figures are indicative",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a bar is missed"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="JSON results file (default: %(default)s)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=max(1, min(4, (os.cpu_count() or 2) // 2)),
        help="load generator processes (default: %(default)s)",
    )
    parser.add_argument(
        "--hash-rounds",
        type=int,
        help="PASSWORD_HASH_ROUNDS of the service (default: the service's own "
        "default; the cheapest with --quick)",
    )
    return parser.parse_args(argv)


def service_environment(scratch: Path, hash_rounds: int) -> dict[str, str]:
    """Return the environment the service runs with.

    Production settings (every request comes from 127.0.0.1, a loopback
    client, which the per-client-IP limits leave alone). SQLite gets a file in
    ``scratch``; a server storage is the one ``DATABASE_URL`` (or the default)
    names, with rows of unique names, and a Redis limiter a key prefix of its
    own (:func:`run_key_prefix`).
    """
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PASSWORD_HASH_ROUNDS": str(hash_rounds),
        "LOGIN_MAX_ATTEMPTS": "5",
        "LOGIN_WINDOW_SECONDS": "900",
        "RATE_LIMIT_KEY_PREFIX": run_key_prefix(),
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "AUTO_MIGRATE": "true",
        "SHUTDOWN_TIMEOUT": "5",
    }
    if str(Settings.model_fields["database_url"].default).startswith("sqlite"):
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{scratch / 'benchmarks.db'}"
    return env


def run_key_prefix() -> str:
    """Return the Redis key prefix of this run's rate-limit counters.

    Never the service's own prefix, whose counters the floods would fill;
    nested under ``RATE_LIMIT_KEY_PREFIX`` when the caller set one (a test's
    throw-away prefix, say), so whoever deletes that prefix's keys deletes
    the run's too.
    """
    run = f"benchmarks-{secrets.token_hex(4)}"
    outer = os.environ.get("RATE_LIMIT_KEY_PREFIX")
    # The setting allows 64 characters; the run's part takes 20 of them.
    return f"{outer[:44]}:{run}" if outer else run


def hasher_settings(env: dict[str, str]) -> Settings:
    """Return the service's settings, quiet, for timing its hasher here.

    The container built from them never connects to its database.
    """
    return Settings(
        _env_file=None,
        secret_key=env["SECRET_KEY"],
        password_hash_rounds=int(env["PASSWORD_HASH_ROUNDS"]),
        log_level="WARNING",
    )


def measure(
    plan: Plan, hash_rounds: int, processes: int, scratch: Path
) -> tuple[list[Figure], dict[str, Any]]:
    """Serve the three apps, run every scenario, stop them.

    Returns:
        The figures, and what the run needs to say about the load generator.
    """
    env = service_environment(scratch, hash_rounds)
    cores = os.cpu_count() or 1
    with ExitStack() as running:
        service, bare, raw = (
            running.enter_context(ServerProcess(name, module, env, scratch))
            for name, module in (
                ("service", PACKAGE),
                ("bare-app", "benchmarks.bare_app"),
                ("raw-server", "benchmarks.raw_server"),
            )
        )
        generator = running.enter_context(LoadGenerator(processes))
        say("starting the service, the bare app and the raw server ...")
        for server in (service, bare, raw):
            server.wait_until_live()
        say("load generator ceiling against the raw server ...")
        ceiling = client_ceiling(generator, raw, plan)
        say(f"/health/live, service vs bare app, {plan.rounds} rounds ...")
        overhead = middleware_overhead(generator, service, bare, plan)
        bare.stop()
        raw.stop()
        say(f"registering {plan.logins + 1} accounts ...")
        *emails, owner = register(service.port, plan.logins + 1)
        say(f"/health/live latency, idle and under {plan.logins} logins ...")
        settings = hasher_settings(env)
        latency, parallelism = hashing(
            generator,
            service.port,
            emails,
            lambda: time_one_hash(settings, plan.hashes),
            cores,
            plan,
        )
        say("429 vs 401 latency ...")
        limited = limited_attempts(generator, service.port, plan)
        say("GET /resources ...")
        token = login_token(service.port, owner)
        listing = resource_listing(generator, service, token, STORAGE, plan)
    figures = [overhead, latency, parallelism, limited, listing]
    client = {"processes": processes, "ceiling_rps": ceiling.rate}
    return figures, client


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; return the exit status."""
    args = parse_args(argv)
    plan = QUICK if args.quick else FULL
    default_rounds = Settings.model_fields["password_hash_rounds"].default
    hash_rounds = args.hash_rounds or (
        QUICK_HASH_ROUNDS if args.quick else int(default_rounds)
    )
    host = machine()
    load_at_start = load_average()
    mode = "quick smoke run (figures indicative only)" if args.quick else "full run"
    print(f"Benchmarks of {PACKAGE} ({VARIANT}), {mode}")
    print(
        f"machine: {host['cores']} cores, {host['cpu']}, "
        f"{host['implementation']} {host['python']}, {host['system']}; "
        f"load average {' '.join(map(str, load_at_start))}"
    )
    started = time.time()
    try:
        with tempfile.TemporaryDirectory(prefix="benchmarks-") as scratch:
            figures, client = measure(plan, hash_rounds, args.processes, Path(scratch))
    except ServerError as error:
        print(f"benchmark aborted: {error}", file=sys.stderr)
        return 2
    best = max(figures[0].data["service_rps"] + figures[0].data["bare_rps"])
    print(
        f"load generator: {client['processes']} process(es), ceiling "
        f"{client['ceiling_rps']:,.0f} req/s against a raw asyncio server, "
        f"{client['ceiling_rps'] / best:.1f}x the fastest app measured"
    )
    print(f"hash cost: PASSWORD_HASH_ROUNDS={hash_rounds}\n")
    print(render_table(figures))
    load_at_end = load_average()
    print(f"\nload average at the end: {' '.join(map(str, load_at_end))}")
    summary = {
        "variant": VARIANT,
        "quick": args.quick,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "machine": host,
        "load_average": {"start": load_at_start, "end": load_at_end},
        "hash_rounds": hash_rounds,
        "client": client,
    }
    write_json(args.output, summary, figures)
    print(f"results: {args.output}")
    missed = [figure.key for figure in figures if figure.passed is False]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
