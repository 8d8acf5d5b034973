"""The measurements behind each figure of ``python -m benchmarks``."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from .loadgen import Job, LoadGenerator, Stream, StreamResult, build_request
from .report import Bar, Figure
from .servers import ServerError, ServerProcess, call
from .target import Settings, build_container

PASSWORD = "correct horse battery staple"
ROUNDS_PER_WINDOW = 4
"""Answers per connection that fit, at least, in a measured window: on a slow
or busy machine the windows stretch to hold them."""
LIVE = build_request("GET", "/health/live")
CPU_NOT_MEASURED = "CPU per request not measured"


@dataclass(frozen=True)
class Plan:
    """How long and how hard each measurement runs.

    Attributes:
        seconds: Measured window of one throughput run.
        warmup: Unmeasured traffic before each window.
        rounds: Alternating service / bare app rounds (figure 1).
        connections: Keep-alive connections of a throughput run.
        probe_seconds: Window of the latency probe, idle and under logins.
        probe_interval: Seconds between two probe requests.
        logins: Logins kept in flight at once (figures 2 and 3).
        rejected: 401 answers timed (figure 4).
        limited: 429 answers timed (figure 4).
        hashes: Hashes timed on their own (figure 3).
        resources: Resources the listing returns (figure 5).
    """

    seconds: float
    warmup: float
    rounds: int
    connections: int
    probe_seconds: float
    probe_interval: float
    logins: int
    rejected: int
    limited: int
    hashes: int
    resources: int


FULL = Plan(
    seconds=3.0,
    warmup=1.0,
    rounds=5,
    connections=32,
    probe_seconds=10.0,
    probe_interval=0.002,
    logins=16,
    rejected=9,
    limited=50,
    hashes=5,
    resources=20,
)
QUICK = Plan(
    seconds=0.2,
    warmup=0.1,
    rounds=1,
    connections=16,
    probe_seconds=0.3,
    probe_interval=0.002,
    logins=4,
    rejected=3,
    limited=10,
    hashes=2,
    resources=5,
)


def checked(results: dict[str, StreamResult], name: str, status: int) -> StreamResult:
    """Return stream ``name`` after checking every answer had ``status``.

    Raises:
        ServerError: On a transport error, no answer inside the window or
            any other status: the figure would not measure what it claims.
    """
    result = results[name]
    if result.errors:
        raise ServerError(f"{name}: {result.errors[0]}")
    if not result.completed:
        raise ServerError(f"{name}: no answer inside the {result.window:.2f} s window")
    unexpected = {code: n for code, n in result.statuses.items() if code != status}
    if unexpected:
        raise ServerError(
            f"{name}: expected only {status}, got {dict(result.statuses)}"
        )
    return result


def slowest_first_answer(generator: LoadGenerator, port: int, stream: Stream) -> float:
    """Return the seconds of the slowest of one request per connection, sent at once.

    Every answer must be a 200. It opens the connections (the client's, a
    database pool's) before anything is measured, and times one round of
    requests on the machine as busy as it is now: the least warm-up and
    window a measurement needs.
    """
    prime = replace(stream, name="prime", max_requests=1)
    primed = generator.run(Job(port, (prime,), 0.0, 600.0))
    return max(checked(primed, "prime", 200).latencies)


@dataclass(frozen=True)
class Throughput:
    """Requests/s of one run, and the server's CPU time per request.

    ``cpu_us`` is ``None`` when it could not be read: without ``/proc``, or
    when the window used less than one clock tick of CPU (a quick run).
    """

    rate: float
    cpu_us: float | None


def cpu_per_request(cpu_seconds: float, answered: int) -> float | None:
    """Microseconds of CPU per answer; ``None`` for no reading.

    Zero seconds means the window used under one clock tick; NaN, no ``/proc``.
    """
    return cpu_seconds / answered * 1e6 if cpu_seconds > 0 and answered else None


def cpu_comparison(service_us: float | None, bare_us: float | None) -> str:
    """Describe the CPU time per request of the service against the bare app."""
    if service_us is None or bare_us is None:
        return CPU_NOT_MEASURED
    return (
        f"CPU per request {service_us:.0f} vs {bare_us:.0f} us "
        f"({bare_us / service_us:.2f}x)"
    )


def median_cpu(runs: Sequence[Throughput]) -> float | None:
    """Median CPU time per request of ``runs``; ``None`` if one was not read."""
    readings = [run.cpu_us for run in runs if run.cpu_us is not None]
    return statistics.median(readings) if len(readings) == len(runs) else None


def throughput(
    generator: LoadGenerator, server: ServerProcess, request: bytes, plan: Plan
) -> Throughput:
    """Load ``server`` with ``request``; every answer must be a 200.

    One checked request per connection comes first
    (:func:`slowest_first_answer`): on a busy machine, a slow request could
    otherwise outlast a short window.
    """
    load = Stream("load", (request,), plan.connections)
    slowest = slowest_first_answer(generator, server.port, load)
    job = Job(
        server.port,
        (load,),
        max(plan.warmup, slowest),
        max(plan.seconds, ROUNDS_PER_WINDOW * slowest),
    )
    cpu_before = server.cpu_seconds()
    result = checked(generator.run(job), "load", 200)
    cpu = server.cpu_seconds() - cpu_before
    return Throughput(result.rate, cpu_per_request(cpu, result.answered))


def client_ceiling(
    generator: LoadGenerator, raw: ServerProcess, plan: Plan
) -> Throughput:
    """Return the rate the load generator reaches against the raw server."""
    return throughput(generator, raw, LIVE, plan)


def middleware_overhead(
    generator: LoadGenerator, service: ServerProcess, bare: ServerProcess, plan: Plan
) -> Figure:
    """Figure 1: ``/health/live`` requests/s of the service over the bare app.

    Rounds alternate which app goes first, so drift in the machine's speed
    hits both alike; the figure is the median of the per-round ratios. The
    CPU time per request, which hardly depends on the machine's other load,
    gives the same ratio a second way.
    """
    runs: dict[str, list[Throughput]] = {"service": [], "bare": []}
    for round_ in range(plan.rounds):
        order = [("service", service), ("bare", bare)]
        for name, server in order if round_ % 2 == 0 else order[::-1]:
            runs[name].append(throughput(generator, server, LIVE, plan))
    ratios = [
        s.rate / b.rate for s, b in zip(runs["service"], runs["bare"], strict=True)
    ]
    service_cpu = median_cpu(runs["service"])
    bare_cpu = median_cpu(runs["bare"])
    service_rate = statistics.median(run.rate for run in runs["service"])
    bare_rate = statistics.median(run.rate for run in runs["bare"])
    return Figure(
        key="health_live_ratio",
        title="/health/live req/s, service / bare app",
        value=statistics.median(ratios),
        unit="x",
        bar=Bar(">=", 0.85),
        detail=(
            f"service {service_rate:,.0f} req/s, bare app {bare_rate:,.0f} req/s "
            "(medians); rounds "
            + " ".join(f"{ratio:.2f}" for ratio in ratios)
            + "; "
            + cpu_comparison(service_cpu, bare_cpu)
        ),
        data={
            "service_rps": [run.rate for run in runs["service"]],
            "bare_rps": [run.rate for run in runs["bare"]],
            "ratios": ratios,
            "service_cpu_us_per_request": service_cpu,
            "bare_cpu_us_per_request": bare_cpu,
        },
    )


def register(port: int, count: int) -> list[str]:
    """Register ``count`` fresh accounts in parallel; return their emails.

    Raises:
        ServerError: If a registration is refused.
    """
    run = uuid.uuid4().hex[:8]
    emails = [f"bench-{run}-{index}@example.com" for index in range(count)]

    def one(email: str) -> None:
        status, body = call(
            port, "POST", "/auth/register", {"email": email, "password": PASSWORD}
        )
        if status != 201:
            raise ServerError(f"registration answered {status}: {body}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(one, emails))
    return emails


def login_request(email: str, password: str = PASSWORD) -> bytes:
    """Return a ``POST /auth/login`` request for ``email``."""
    body = json.dumps({"email": email, "password": password}).encode()
    return build_request("POST", "/auth/login", body=body)


def login_token(port: int, email: str) -> str:
    """Log in as ``email``; return the bearer token."""
    status, body = call(
        port, "POST", "/auth/login", {"email": email, "password": PASSWORD}
    )
    if status != 200:
        raise ServerError(f"login answered {status}: {body}")
    token: str = body["access_token"]
    return token


def hashing(
    generator: LoadGenerator,
    port: int,
    emails: Sequence[str],
    time_hashes: Callable[[], list[float]],
    cores: int,
    plan: Plan,
) -> tuple[Figure, Figure]:
    """Figures 2 and 3: the loop's latency and the login rate while hashing.

    A paced probe times ``/health/live`` alone, then again while every
    account logs in over and over on its own connection (one login in
    flight per account, so the per-account limit never trips). Figure 3
    counts the logins of a third run without the probe, whose requests would
    take CPU from the hashing threads. A first login per account opens the
    connections and sizes the windows. One hash is timed alone
    (``time_hashes``) just before and just after, so a change in the
    machine's load during the run hits both sides of figure 3 alike.
    """
    hash_times = time_hashes()
    logins = Stream(
        "login", tuple(login_request(email) for email in emails), len(emails), True
    )
    # Every account logs in once, all at the same time: one round of logins.
    # Warm-up: every hashing thread busy before measuring. Window: every
    # account logs in a few times.
    login_round = slowest_first_answer(generator, port, logins)
    warmup = plan.warmup + login_round
    window = max(plan.probe_seconds, ROUNDS_PER_WINDOW * login_round)
    probe = Stream("probe", (LIVE,), 1, interval=plan.probe_interval)
    idle = checked(
        generator.run(Job(port, (probe,), plan.warmup, window)), "probe", 200
    )
    loaded = generator.run(Job(port, (logins, probe), warmup, window))
    busy = checked(loaded, "probe", 200)
    checked(loaded, "login", 200)
    alone = generator.run(Job(port, (logins,), warmup, window))
    login = checked(alone, "login", 200)
    hash_times += time_hashes()
    hash_seconds = statistics.median(hash_times)
    idle_p99, busy_p99 = idle.percentile(0.99), busy.percentile(0.99)
    ideal = cores / hash_seconds
    latency = Figure(
        key="health_live_p99_under_logins",
        title=f"/health/live p99, {len(emails)} logins hashing / idle",
        value=busy_p99 / idle_p99,
        unit="x",
        bar=Bar("<=", 5),
        detail=(
            f"p99 {busy_p99:.2f} ms under logins vs {idle_p99:.2f} ms idle "
            f"(p50 {busy.percentile(0.5):.2f} vs {idle.percentile(0.5):.2f} ms; "
            f"{busy.completed} and {idle.completed} probes)"
        ),
        data={
            "idle_p50_ms": idle.percentile(0.5),
            "idle_p99_ms": idle_p99,
            "busy_p50_ms": busy.percentile(0.5),
            "busy_p99_ms": busy_p99,
            "idle_probes": idle.completed,
            "busy_probes": busy.completed,
        },
    )
    parallelism = Figure(
        key="login_throughput_vs_cores",
        title="logins/s x one hash's time / cores",
        value=login.rate / ideal,
        unit="x",
        bar=Bar(">=", 0.8),
        detail=(
            f"{login.rate:.1f} logins/s; one hash {hash_seconds * 1000:.1f} ms "
            f"(median of {len(hash_times)}), {cores} cores: ideal {ideal:.1f}/s"
        ),
        data={
            "logins_per_second": login.rate,
            "logins": login.completed,
            "hash_ms": hash_seconds * 1000,
            "hash_samples_ms": [seconds * 1000 for seconds in hash_times],
            "cores": cores,
            "ideal_per_second": ideal,
        },
    )
    return latency, parallelism


def limited_attempts(generator: LoadGenerator, port: int, plan: Plan) -> Figure:
    """Figure 4: median latency of a 429 over a 401.

    The 401s are logins of unknown emails (a dummy hash each); the 429s are
    logins of an account that failed until it was limited.

    Raises:
        ServerError: If the account is never limited.
    """
    (email,) = register(port, 1)
    wrong = {"email": email, "password": "not the password"}
    for _ in range(100):
        status, _body = call(port, "POST", "/auth/login", wrong)
        if status == 429:
            break
    else:
        raise ServerError("100 failed logins never got a 429")
    run = uuid.uuid4().hex[:8]
    unknown = tuple(
        login_request(f"nobody-{run}-{index}@example.com")
        for index in range(plan.rejected)
    )
    limited = (login_request(email, "not the password"),)
    streams = (
        Stream("rejected", unknown, max_requests=len(unknown)),
        Stream("limited", limited, max_requests=plan.limited),
    )
    results = {
        stream.name: generator.run(Job(port, (stream,), 0.0, 600.0))
        for stream in streams
    }
    rejected = checked(results["rejected"], "rejected", 401)
    throttled = checked(results["limited"], "limited", 429)
    rejected_ms, limited_ms = rejected.percentile(0.5), throttled.percentile(0.5)
    return Figure(
        key="limited_vs_rejected_login",
        title="login median latency, 429 / 401",
        value=limited_ms / rejected_ms,
        unit="x",
        bar=Bar("<=", 0.1),
        detail=(
            f"429 {limited_ms:.2f} ms ({throttled.completed} timed), "
            f"401 {rejected_ms:.2f} ms ({rejected.completed} timed)"
        ),
        data={"limited_p50_ms": limited_ms, "rejected_p50_ms": rejected_ms},
    )


def resource_listing(
    generator: LoadGenerator,
    service: ServerProcess,
    token: str,
    storage: str,
    plan: Plan,
) -> Figure:
    """Figure 5: authenticated ``GET /resources`` requests/s, for reference."""
    run = uuid.uuid4().hex[:8]
    for index in range(plan.resources):
        status, body = call(
            service.port, "POST", "/resources", {"name": f"bench-{run}-{index}"}, token
        )
        if status != 201:
            raise ServerError(f"POST /resources answered {status}: {body}")
    listing = build_request(
        "GET",
        f"/resources?limit={plan.resources}",
        headers=[("authorization", f"Bearer {token}")],
    )
    run_ = throughput(generator, service, listing, plan)
    return Figure(
        key="resources_rps",
        title=f"GET /resources req/s ({storage}, authenticated)",
        value=run_.rate,
        unit="req/s",
        bar=None,
        detail=(
            f"pages of {plan.resources}, token verified and user loaded on each "
            f"request, {plan.connections} connections; "
            + (
                f"{run_.cpu_us:.0f} us CPU per request in the service"
                if run_.cpu_us is not None
                else CPU_NOT_MEASURED
            )
        ),
        data={"rps": run_.rate, "cpu_us_per_request": run_.cpu_us},
    )


def time_one_hash(settings: Settings, samples: int) -> list[float]:
    """Return the seconds of ``samples`` password verifications, one at a time.

    The hasher is the service's own, built from ``settings`` as the service
    builds it, and timed in this process while the service is idle.
    """

    async def measure() -> list[float]:
        container = build_container(settings)
        try:
            stored = await container.hasher.hash(PASSWORD)
            times: list[float] = []
            for _ in range(samples):
                started = time.perf_counter()
                await container.hasher.verify(PASSWORD, stored)
                times.append(time.perf_counter() - started)
        finally:
            await container.stop()
        return times

    return asyncio.run(measure())
