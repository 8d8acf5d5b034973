"""X-Request-ID: kept when safe, replaced otherwise, on every response."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.support import assert_problem, header, raw_request

GENERATED = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)
"""A fresh UUID 4, as ``str(uuid.uuid4())`` writes it."""


@pytest.mark.parametrize("request_id", ["abc", "A.b_c-1", "x" * 128])
async def test_a_safe_incoming_id_is_kept(
    client: httpx.AsyncClient, request_id: str
) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": request_id})

    assert response.headers["x-request-id"] == request_id


@pytest.mark.parametrize(
    "request_id",
    ["", "x" * 129, "x" * 10_000, "a b", "a/b", "{json}", "é", "id\tid"],
)
async def test_an_unsafe_incoming_id_is_replaced(
    client: httpx.AsyncClient, request_id: str
) -> None:
    response = await client.get(
        "/health/live", headers=[(b"X-Request-ID", request_id.encode())]
    )

    assert GENERATED.fullmatch(response.headers["x-request-id"])


async def test_errors_carry_the_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/missing", headers={"X-Request-ID": "trace-42"})

    assert assert_problem(response, 404)["correlation_id"] == "trace-42"


async def test_each_response_gets_its_own_id(client: httpx.AsyncClient) -> None:
    first = await client.get("/health/live")
    second = await client.get("/health/live")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    "raw",
    [b"id\r\nSet-Cookie: x=1", b"id\n", b"\r\n", "é".encode(), b"\xff" * 10_240],
)
async def test_ids_that_http_clients_refuse_to_send_are_replaced(
    app: Any, raw: bytes
) -> None:
    sent = await raw_request(app, "/health/live", [(b"x-request-id", raw)])

    ids = header(sent[0], b"x-request-id")
    assert sent[0]["status"] == 200
    assert len(ids) == 1
    assert GENERATED.fullmatch(ids[0].decode())


async def test_a_refused_websocket_handshake_carries_it_too(app: Any) -> None:
    # No route takes WebSockets: the handshake gets a 403 problem, through the
    # denial response uvicorn offers, instead of uvicorn's empty 403.
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "ws",
        "path": "/health/live",
        "raw_path": b"/health/live",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"x-request-id", b"ws-1")],
        "client": ("203.0.113.7", 50000),
        "server": ("test", 80),
        "subprotocols": [],
        "extensions": {"websocket.http.response": {}},
    }
    sent: list[dict[str, Any]] = []
    events = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        return events.pop() if events else {"type": "websocket.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)

    start, body = sent
    assert start["type"] == "websocket.http.response.start"
    assert start["status"] == 403
    assert header(start, b"x-request-id") == [b"ws-1"]
    assert header(start, b"content-type") == [b"application/problem+json"]
    assert json.loads(body["body"])["correlation_id"] == "ws-1"
