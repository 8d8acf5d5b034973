"""A lean HTTP/1.1 keep-alive load generator, run in its own processes.

Each worker process drives its connections on uvloop with raw
``asyncio.Protocol`` objects: a request is one pre-built ``bytes`` write, a
response is framed by its ``Content-Length`` and never decoded further. That
keeps the client's cost per request a few microseconds, far below the
service's; ``python -m benchmarks`` measures the ceiling against a trivial
server and prints it, so a reader can check.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from typing import cast

import uvloop

HOST = "127.0.0.1"
_HEADER_END = b"\r\n\r\n"
_CONTENT_LENGTH = b"\r\ncontent-length:"
# Seconds between handing a job to the (warm) workers and its start.
_LEAD = 0.1


def build_request(
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """Return the bytes of one HTTP/1.1 keep-alive request to ``HOST``."""
    lines = [f"{method} {path} HTTP/1.1", f"host: {HOST}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method in {"POST", "PUT", "PATCH"}:
        lines += ["content-type: application/json", f"content-length: {len(body)}"]
    return "\r\n".join(lines).encode() + _HEADER_END + body


@dataclass(frozen=True, slots=True)
class Stream:
    """Requests that a group of connections sends, each waiting for its answer.

    Attributes:
        name: Key of this stream's result.
        requests: Pre-built requests (see :func:`build_request`).
        connections: Keep-alive connections sending them.
        pinned: Connection ``k`` always sends ``requests[k]`` (say, one
            account per connection); otherwise every connection cycles
            through all of them, starting at its own offset.
        max_requests: Stop a connection after this many requests.
        interval: Seconds between request starts on a connection (a paced
            probe); ``None`` sends the next request as soon as one is answered.
        first: Index of the first connection (when a worker runs a share).
    """

    name: str
    requests: tuple[bytes, ...]
    connections: int = 1
    pinned: bool = False
    max_requests: int | None = None
    interval: float | None = None
    first: int = 0


@dataclass(frozen=True, slots=True)
class Job:
    """Streams that one worker runs together on one port.

    Attributes:
        port: Port of the server on ``HOST``.
        streams: What to send.
        warmup: Seconds of traffic before measuring starts.
        duration: Seconds measured after the warm-up.
        start_at: Wall-clock time (``time.time()``) at which every worker
            starts, so their windows line up; ``0`` starts at once.
    """

    port: int
    streams: tuple[Stream, ...]
    warmup: float
    duration: float
    start_at: float = 0.0


@dataclass(slots=True)
class StreamResult:
    """What one stream measured: responses completed inside the window.

    ``answered`` also counts the responses of the warm-up and of the requests
    in flight when the window closed: all the work the server did.
    """

    completed: int = 0
    answered: int = 0
    window: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Responses per second inside the window."""
        return self.completed / self.window if self.window else 0.0

    def merge(self, other: StreamResult) -> None:
        """Add another worker's share of the same stream."""
        self.completed += other.completed
        self.answered += other.answered
        self.window = max(self.window, other.window)
        self.statuses.update(other.statuses)
        self.latencies += other.latencies
        self.errors += other.errors

    def percentile(self, fraction: float) -> float:
        """Return a latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(math.ceil(fraction * len(ordered)) - 1, 0)
        return ordered[rank] * 1000


class _Connection(asyncio.Protocol):
    """One keep-alive connection with at most one request in flight."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._expected = -1
        self._status = 0
        self._waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport to write requests to."""
        # uvloop's transports implement, but do not subclass, asyncio's.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        """Collect bytes until the whole response is in, then wake the sender."""
        buffer = self._buffer
        buffer += data
        if self._expected < 0:
            end = buffer.find(_HEADER_END)
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            start = head.find(_CONTENT_LENGTH)
            if start < 0:
                self._fail(ConnectionError("response without content-length"))
                return
            start += len(_CONTENT_LENGTH)
            stop = head.find(b"\r\n", start)
            length = int(head[start:] if stop < 0 else head[start:stop])
            self._status = int(head[9:12])
            self._expected = end + len(_HEADER_END) + length
        if len(buffer) >= self._expected:
            del buffer[: self._expected]
            self._expected = -1
            waiter, self._waiter = self._waiter, None
            if waiter is not None and not waiter.done():
                waiter.set_result(self._status)

    def connection_lost(self, exc: Exception | None) -> None:
        """Fail the request in flight, if any."""
        self._fail(exc or ConnectionError("connection closed by the server"))

    def _fail(self, exc: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def send(self, request: bytes) -> asyncio.Future[int]:
        """Write ``request``; the future resolves to the response status."""
        assert self._transport is not None
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return self._waiter

    def close(self) -> None:
        """Close the socket."""
        if self._transport is not None:
            self._transport.close()


async def _drive(
    job: Job,
    stream: Stream,
    index: int,
    clock: tuple[float, float],
    result: StreamResult,
) -> None:
    """Run one connection of ``stream`` until the window closes."""
    measure_from, stop_at = clock
    loop = asyncio.get_running_loop()
    _, connection = await loop.create_connection(_Connection, HOST, job.port)
    requests = stream.requests
    position = index % len(requests)
    sent = 0
    perf_counter = time.perf_counter
    try:
        while (now := perf_counter()) < stop_at:
            if stream.max_requests is not None and sent >= stream.max_requests:
                return
            try:
                status = await connection.send(requests[position])
            except (OSError, ConnectionError) as exc:
                result.errors.append(f"{stream.name}: {exc!r}")
                return
            sent += 1
            result.answered += 1
            done = perf_counter()
            if measure_from <= done <= stop_at:
                result.completed += 1
                result.statuses[status] += 1
                result.latencies.append(done - now)
            if not stream.pinned:
                position = (position + 1) % len(requests)
            if stream.interval is not None:
                await asyncio.sleep(max(now + stream.interval - done, 0))
    finally:
        connection.close()


async def _run(job: Job) -> dict[str, StreamResult]:
    if (delay := job.start_at - time.time()) > 0:
        await asyncio.sleep(delay)
    measure_from = time.perf_counter() + job.warmup
    clock = (measure_from, measure_from + job.duration)
    results = {stream.name: StreamResult(window=job.duration) for stream in job.streams}
    drivers = [
        _drive(job, stream, stream.first + index, clock, results[stream.name])
        for stream in job.streams
        for index in range(stream.connections)
    ]
    await asyncio.gather(*drivers)
    return results


def run_job(job: Job) -> dict[str, StreamResult]:
    """Run ``job`` on a fresh uvloop in this process (a worker's entry point).

    Returns:
        Stream name -> what it measured.
    """
    return uvloop.run(_run(job))


def _share(job: Job, workers: int) -> list[Job]:
    """Split the connections of every stream across ``workers`` jobs."""
    shares: list[Job] = []
    for worker in range(workers):
        streams = []
        for stream in job.streams:
            base, extra = divmod(stream.connections, workers)
            count = base + (1 if worker < extra else 0)
            first = worker * base + min(worker, extra)
            if count:
                streams.append(replace(stream, connections=count, first=first))
        if streams:
            shares.append(replace(job, streams=tuple(streams)))
    return shares


class LoadGenerator:
    """A pool of warm worker processes that run :class:`Job` objects together."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool = ProcessPoolExecutor(processes, mp_context=get_context("spawn"))
        # One task per worker spawns them all now, not during the first job.
        self._warming = [self._pool.submit(time.sleep, 0.2) for _ in range(processes)]

    def run(self, job: Job) -> dict[str, StreamResult]:
        """Run ``job`` with its connections spread over every worker.

        Returns:
            Stream name -> the merged results of every worker.
        """
        for warming in self._warming:
            warming.result()
        timed = replace(job, start_at=time.time() + _LEAD)
        futures = [
            self._pool.submit(run_job, share) for share in _share(timed, self.processes)
        ]
        merged = {
            stream.name: StreamResult(window=job.duration) for stream in job.streams
        }
        for future in futures:
            for name, result in future.result().items():
                merged[name].merge(result)
        return merged

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.shutdown()

    def __enter__(self) -> LoadGenerator:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
