"""Client identity behind proxies, and limits a client cannot escape."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.conftest import CLIENT_IP, AccountFactory
from tests.support import assert_problem

Capture = pytest.CaptureFixture[str]


def access_ips(capsys: Capture) -> list[str]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [r["client_ip"] for r in lines if r["event"] == "request"]


class TestBehindATrustedProxy:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"trusted_proxies": f"{CLIENT_IP}/32"}

    async def test_the_forwarded_client_is_believed(
        self, client: httpx.AsyncClient, capsys: Capture
    ) -> None:
        capsys.readouterr()

        await client.get("/health/live", headers={"X-Forwarded-For": "198.51.100.1"})
        await client.get(
            "/health/live",
            headers=[
                ("X-Forwarded-For", "6.6.6.6"),
                ("X-Forwarded-For", "198.51.100.2"),
            ],
        )
        # FORWARDED_IP_HEADER is x-forwarded-for: X-Real-IP is not read at all.
        await client.get("/health/live", headers={"X-Real-IP": "198.51.100.3"})

        assert access_ips(capsys) == ["198.51.100.1", "198.51.100.2", CLIENT_IP]


class TestBehindAProxySettingXRealIP:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {
            "trusted_proxies": f"{CLIENT_IP}/32",
            "forwarded_ip_header": "x-real-ip",
        }

    async def test_only_x_real_ip_is_believed(
        self, client: httpx.AsyncClient, capsys: Capture
    ) -> None:
        capsys.readouterr()

        # The proxy sets X-Real-IP and passes the client's X-Forwarded-For on.
        await client.get(
            "/health/live",
            headers={"X-Real-IP": "198.51.100.3", "X-Forwarded-For": "6.6.6.6"},
        )
        await client.get("/health/live", headers={"X-Forwarded-For": "6.6.6.6"})

        assert access_ips(capsys) == ["198.51.100.3", CLIENT_IP]


class TestWithoutTrustedProxies:
    async def test_forwarding_headers_are_ignored(
        self, client: httpx.AsyncClient, capsys: Capture
    ) -> None:
        capsys.readouterr()

        await client.get(
            "/health/live",
            headers={"X-Forwarded-For": "198.51.100.1", "X-Real-IP": "198.51.100.2"},
        )

        assert access_ips(capsys) == [CLIENT_IP]

    async def test_rotating_forwarded_for_does_not_reset_the_login_limit(
        self, client: httpx.AsyncClient, make_account: AccountFactory
    ) -> None:
        account = await make_account()
        wrong = {"email": account.email, "password": "wrong password"}
        for n in range(3):
            spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
            await client.post("/auth/login", json=wrong, headers=spoofed)

        response = await client.post(
            "/auth/login",
            json={"email": account.email, "password": account.password},
            headers={"X-Forwarded-For": "192.0.2.99"},
        )

        assert response.status_code == 429


async def failed_login(
    client: httpx.AsyncClient, email: str, headers: dict[str, str]
) -> httpx.Response:
    body = {"email": email, "password": "wrong password"}
    return await client.post("/auth/login", json=body, headers=headers)


class TestClientLimitWithoutTrustedProxies:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"login_ip_max_attempts": 3}

    async def test_rotating_forwarding_headers_does_not_escape_it(
        self, client: httpx.AsyncClient
    ) -> None:
        for n in range(3):
            spoofed = {
                "X-Forwarded-For": f"198.51.100.{n}",
                "X-Real-IP": f"192.0.2.{n}",
            }
            response = await failed_login(client, f"victim{n}@example.com", spoofed)
            assert response.status_code == 401

        limited = await failed_login(
            client, "victim9@example.com", {"X-Forwarded-For": "192.0.2.99"}
        )

        assert_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1


class TestClientLimitBehindATrustedProxy:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"trusted_proxies": f"{CLIENT_IP}/32", "login_ip_max_attempts": 3}

    async def test_it_counts_the_forwarded_client_not_the_proxy(
        self, client: httpx.AsyncClient
    ) -> None:
        # The proxy appends the address it saw; what the client sent is left of it.
        for n in range(3):
            forwarded = {"X-Forwarded-For": f"6.6.6.{n}, 198.51.100.1"}
            response = await failed_login(client, f"victim{n}@example.com", forwarded)
            assert response.status_code == 401

        attacker = await failed_login(
            client, "victim9@example.com", {"X-Forwarded-For": "7.7.7.7, 198.51.100.1"}
        )
        neighbour = await failed_login(
            client, "victim9@example.com", {"X-Forwarded-For": "198.51.100.2"}
        )

        assert_problem(attacker, 429)
        assert neighbour.status_code == 401
