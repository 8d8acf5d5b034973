"""Benchmarks of the service: ``uv run python -m benchmarks``.

The macro benchmark (``__main__``) serves the service, a bare app of the same
framework and a raw server as separate processes on loopback, loads them with
its own multi-process HTTP/1.1 load generator (``loadgen``) and prints the
template's performance figures against their bars. The micro-benchmarks
(``test_micro.py``, pytest-benchmark) time the hot pieces of the core one by
one: ``uv run pytest benchmarks --benchmark-only --no-cov``.
"""
