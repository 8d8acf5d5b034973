"""X-Request-ID: kept when safe, replaced otherwise, on every response."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support import assert_problem

GENERATED = re.compile(r"[0-9a-f]{32}")


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
