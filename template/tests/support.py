"""Assertions shared by the test modules."""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx
import pytest

Capture = pytest.CaptureFixture[str]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["correlation_id"] == response.headers["x-request-id"]
    return body


def records(capsys: Capture) -> list[dict[str, Any]]:
    """Parse captured stdout; every line must be exactly one JSON object."""
    parsed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(isinstance(record, dict) for record in parsed)
    return parsed


def error_fields(response: httpx.Response) -> set[str]:
    """Return the field names a 422 problem lists."""
    body = assert_problem(response, 422)
    return {error["field"] for error in body["errors"]}


async def raw_request(
    app: Any,
    path: str,
    headers: Sequence[tuple[bytes, bytes]] = (),
    *,
    method: str = "GET",
    query: bytes = b"",
    body: bytes = b"",
) -> list[dict[str, Any]]:
    """Call ``app`` as an ASGI server would, with header bytes httpx refuses.

    Returns:
        The ASGI messages the app sent (``http.response.start`` first).
    """
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": quote(path).encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"test"), *headers],
        "client": ("203.0.113.7", 50000),
        "server": ("test", 80),
    }
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body}]

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def header(message: dict[str, Any], name: bytes) -> list[bytes]:
    """Return every value of header ``name`` in an ``http.response.start``."""
    return [value for key, value in message["headers"] if key == name]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
