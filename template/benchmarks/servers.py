"""The processes under test, each on its own free port on loopback."""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .loadgen import HOST

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 30.0
_LOG_TAIL = 3000


class ServerError(RuntimeError):
    """A server did not start, stopped early or answered wrongly."""


def free_port() -> int:
    """Return a TCP port on ``HOST`` that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def call(
    port: int,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    token: str | None = None,
) -> tuple[int, Any]:
    """Send one request (set-up, not measured); return status and JSON body."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        connection.close()


class ServerProcess:
    """``python -m <module>`` serving on ``HOST:port``, its output in a file."""

    def __init__(
        self,
        name: str,
        module: str,
        env: dict[str, str],
        log_dir: Path,
        args: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                cwd=PROJECT_ROOT,
                env={**env, "HOST": HOST, "PORT": str(self.port)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_live(self) -> None:
        """Block until ``GET /health/live`` answers 200.

        Raises:
            ServerError: If the process exits or does not answer in time.
        """
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                if call(self.port, "GET", "/health/live")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise ServerError(f"{self.name} did not start:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (``nan`` without ``/proc``).

        Requests per CPU-second hardly depend on what else the machine runs,
        unlike requests per wall-clock second.
        """
        try:
            stat = Path(f"/proc/{self._process.pid}/stat").read_text(encoding="ascii")
        except OSError:
            return math.nan
        # Fields 14 and 15 (user and system time) follow the ")" ending field 2.
        user, system = stat.rpartition(")")[2].split()[11:13]
        return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Stop with SIGTERM, as an orchestrator would; kill if it hangs."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def log_tail(self) -> str:
        """The end of the process's output, for error messages."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text[-_LOG_TAIL:]
