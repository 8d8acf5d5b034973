"""The benchmark reports CPU per request only when it could read it."""

from __future__ import annotations

import math

import pytest

from benchmarks.scenarios import (
    Throughput,
    cpu_comparison,
    cpu_per_request,
    median_cpu,
)


def test_cpu_per_request_is_microseconds_per_answer() -> None:
    assert cpu_per_request(0.5, 5_000) == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("cpu_seconds", "answered"),
    [(0.0, 5_000), (math.nan, 5_000), (0.5, 0)],
    ids=["under-one-clock-tick", "no-proc", "no-answer"],
)
def test_a_reading_under_one_clock_tick_is_no_reading(
    cpu_seconds: float, answered: int
) -> None:
    assert cpu_per_request(cpu_seconds, answered) is None


def test_the_median_needs_every_round_read() -> None:
    read = [Throughput(1.0, 90.0), Throughput(1.0, 110.0), Throughput(1.0, 100.0)]

    assert median_cpu(read) == 100.0
    assert median_cpu([*read, Throughput(1.0, None)]) is None


def test_the_comparison_says_when_cpu_was_not_measured() -> None:
    assert cpu_comparison(97.0, 74.0) == "CPU per request 97 vs 74 us (0.76x)"
    assert cpu_comparison(None, 74.0) == "CPU per request not measured"
    assert cpu_comparison(97.0, None) == "CPU per request not measured"
