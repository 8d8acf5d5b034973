"""Logs: one JSON object per line, correlation ids, no secrets, no forgery."""

from __future__ import annotations

import asyncio
import json

import httpx

from tests.conftest import CLIENT_IP, Account
from tests.support import Capture, records


async def test_one_access_line_per_request(
    client: httpx.AsyncClient, capsys: Capture
) -> None:
    capsys.readouterr()

    await client.get("/health/live?token=abc", headers={"X-Request-ID": "req-1"})

    access = [r for r in records(capsys) if r["event"] == "request"]
    assert len(access) == 1
    line = access[0]
    assert {"timestamp", "level", "event", "logger"} <= set(line)
    assert line["timestamp"].endswith("Z") or line["timestamp"].endswith("+00:00")
    assert (line["method"], line["path"], line["status"]) == (
        "GET",
        "/health/live",
        200,
    )
    assert line["client_ip"] == CLIENT_IP
    assert line["correlation_id"] == "req-1"
    assert isinstance(line["duration_ms"], float)


async def test_secrets_never_reach_the_logs(
    client: httpx.AsyncClient, account: Account, capsys: Capture
) -> None:
    capsys.readouterr()
    token = account.headers["Authorization"].removeprefix("Bearer ")

    await client.post(
        "/auth/login", json={"email": account.email, "password": "sentinel-pw-123"}
    )
    await client.post(
        "/auth/login", json={"email": account.email, "password": account.password}
    )
    await client.get("/users/me", headers=account.headers)

    out = json.dumps(records(capsys))
    for secret in ("sentinel-pw-123", account.password, token, "Bearer", "$2b$"):
        assert secret not in out


async def test_every_login_attempt_is_logged_with_ip_and_outcome(
    client: httpx.AsyncClient, account: Account, capsys: Capture
) -> None:
    capsys.readouterr()

    await client.post(
        "/auth/login", json={"email": account.email, "password": "wrong-password"}
    )
    await client.post(
        "/auth/login", json={"email": account.email, "password": account.password}
    )

    attempts = [r for r in records(capsys) if r["event"] == "login_attempt"]
    assert [a["outcome"] for a in attempts] == ["failure", "success"]
    assert all(a["client_ip"] == CLIENT_IP for a in attempts)


async def test_concurrent_requests_keep_their_own_ids(
    client: httpx.AsyncClient, account: Account, capsys: Capture
) -> None:
    capsys.readouterr()

    responses = await asyncio.gather(
        *(
            client.post(
                "/resources",
                headers={**account.headers, "X-Request-ID": f"req-{n}"},
                json={"name": f"concurrent-{n % 40}"},
            )
            for n in range(50)
        )
    )

    logged = records(capsys)
    created = {
        r["resource_id"]: r["correlation_id"]
        for r in logged
        if r["event"] == "resource_created"
    }
    assert created == {
        r.json()["id"]: r.headers["x-request-id"]
        for r in responses
        if r.status_code == 201
    }
    access = {
        r["correlation_id"]: r["status"] for r in logged if r["event"] == "request"
    }
    assert access == {r.headers["x-request-id"]: r.status_code for r in responses}
    assert sorted(access) == sorted(f"req-{n}" for n in range(50))
    assert sorted(access.values()) == [201] * 40 + [409] * 10
