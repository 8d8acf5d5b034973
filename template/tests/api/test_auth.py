"""Registration and login over HTTP: validation, conflicts, throttling."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, AccountFactory
from tests.support import assert_problem, error_fields


async def register(client: httpx.AsyncClient, **body: object) -> httpx.Response:
    payload: dict[str, object] = {"email": "ada@example.com", "password": PASSWORD}
    return await client.post("/auth/register", json={**payload, **body})


async def login(
    client: httpx.AsyncClient, email: str, password: str, **headers: str
) -> httpx.Response:
    body = {"email": email, "password": password}
    return await client.post("/auth/login", json=body, headers=headers)


async def test_register_returns_the_user_without_secrets(
    client: httpx.AsyncClient,
) -> None:
    response = await register(
        client, first_name="Ada", last_name="Lovelace", phone="+441234567890"
    )

    assert response.status_code == 201
    user = response.json()
    assert set(user) == {
        "id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "created_at",
    }
    assert user["email"] == "ada@example.com"
    assert user["phone"] == "+441234567890"
    assert PASSWORD not in response.text


async def test_register_refuses_a_taken_email_whatever_its_case(
    client: httpx.AsyncClient,
) -> None:
    await register(client)

    response = await register(client, email="ADA@Example.COM")

    assert (
        assert_problem(response, 409)["detail"] == "This email is already registered."
    )


async def test_register_accepts_the_test_domain(
    client: httpx.AsyncClient,
) -> None:
    # .test is reserved for testing (RFC 6761): fuzzers and test suites send it.
    response = await register(client, email="Ada@Lab.EXAMPLE.Test")

    assert response.status_code == 201
    assert response.json()["email"] == "ada@lab.example.test"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "Ada Lovelace <ada@example.com>"}, "email"),
        ({"email": "<ada@example.com>"}, "email"),
        ({"email": " ada@example.com"}, "email"),
        ({"email": "ada@printer.local"}, "email"),
        ({"email": "ada@localhost"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"phone": "123"}, "phone"),
        ({"phone": "1234567890123456"}, "phone"),
        ({"phone": "12345abcde"}, "phone"),
        ({"first_name": "Ada\x00"}, "first_name"),
        ({"password": "pass\x00word"}, "password"),
        ({"is_admin": True}, "is_admin"),
        ({"email": None}, "email"),
    ],
)
async def test_register_refuses_invalid_fields(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await register(client, **body)

    assert field in error_fields(response)


@pytest.mark.parametrize(
    ("body", "field", "error_type"),
    [
        ({"password": "short"}, "password", "string_too_short"),
        ({"password": 123456789}, "password", "string_type"),
        ({"is_admin": True}, "is_admin", "extra_forbidden"),
    ],
)
async def test_an_invalid_field_carries_pydantics_error_type(
    client: httpx.AsyncClient, body: dict[str, object], field: str, error_type: str
) -> None:
    response = await register(client, **body)

    errors = assert_problem(response, 422)["errors"]
    assert {"field": field, "type": error_type} in [
        {"field": e["field"], "type": e["type"]} for e in errors
    ]


async def test_register_refuses_a_body_that_is_not_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/auth/register",
        content=b'{"email": ',
        headers={"content-type": "application/json"},
    )

    assert error_fields(response) == {"body"}


@pytest.mark.parametrize("content", [b"", b"null", b"[]", b'"ada@example.com"'])
async def test_register_refuses_a_body_that_is_not_an_object(
    client: httpx.AsyncClient, content: bytes
) -> None:
    response = await client.post(
        "/auth/register",
        content=content,
        headers={"content-type": "application/json"},
    )

    assert error_fields(response) == {"body"}


@pytest.mark.parametrize("password", ["€" * 64, "密码" * 64, "a" * 128, "d" * 8])
async def test_any_password_of_8_to_128_characters_works(
    client: httpx.AsyncClient, password: str
) -> None:
    assert (await register(client, password=password)).status_code == 201

    response = await login(client, "ada@example.com", password)

    assert response.status_code == 200


async def test_passwords_differing_after_byte_72_are_different(
    client: httpx.AsyncClient,
) -> None:
    password = "x" * 72 + "-first"
    await register(client, password=password)

    response = await login(client, "ada@example.com", "x" * 72 + "-other")

    assert_problem(response, 401)


async def test_login_returns_a_bearer_token(client: httpx.AsyncClient) -> None:
    await register(client)

    response = await login(client, "ADA@example.com", PASSWORD)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"  # RFC 6749, 5.1
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert body["access_token"].count(".") == 2


async def test_unknown_email_and_wrong_password_look_the_same(
    client: httpx.AsyncClient,
) -> None:
    await register(client)
    same_id = {"x-request-id": "probe-1"}

    wrong_password = await login(client, "ada@example.com", "wrong password", **same_id)
    unknown_email = await login(client, "bob@example.com", PASSWORD, **same_id)

    assert_problem(wrong_password, 401)
    assert wrong_password.content == unknown_email.content
    assert wrong_password.headers["www-authenticate"] == "Bearer"


async def test_failed_logins_lock_the_account_with_retry_after(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    account = await make_account()
    for _ in range(3):
        assert (await login(client, account.email, "wrong password")).status_code == 401

    limited = await login(client, account.email, account.password)

    body = assert_problem(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert "password" not in body["detail"].lower()


async def test_the_limit_counts_unknown_emails_too(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await login(client, "ghost@example.com", "wrong password")

    assert_problem(await login(client, "GHOST@example.com", "wrong password"), 429)


async def test_a_successful_login_clears_the_failure_count(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    account = await make_account()
    for _ in range(2):
        await login(client, account.email, "wrong password")
    assert (await login(client, account.email, account.password)).status_code == 200

    for _ in range(2):
        assert (await login(client, account.email, "wrong password")).status_code == 401

    assert (await login(client, account.email, account.password)).status_code == 200


async def test_concurrent_correct_logins_of_one_account_all_succeed(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    account = await make_account()

    responses = await asyncio.gather(
        *(login(client, account.email, account.password) for _ in range(10))
    )

    assert [r.status_code for r in responses] == [200] * 10


async def test_concurrent_wrong_logins_fail_only_up_to_the_limit(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    account = await make_account()

    responses = await asyncio.gather(
        *(login(client, account.email, "wrong password") for _ in range(10))
    )

    # Three may fail (LOGIN_MAX_ATTEMPTS in these tests), however many at once.
    assert sorted(r.status_code for r in responses) == [401] * 3 + [429] * 7


async def test_the_limit_is_per_account(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    locked, other = await make_account(), await make_account()
    for _ in range(4):
        await login(client, locked.email, "wrong password")

    response = await login(client, other.email, other.password)

    assert response.status_code == 200


class TestPerClientLimits:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"login_ip_max_attempts": 4, "register_ip_max_attempts": 2}

    async def test_logins_from_one_client_are_limited_across_accounts(
        self, client: httpx.AsyncClient
    ) -> None:
        for n in range(4):
            response = await login(client, f"user{n}@example.com", "wrong password")
            assert_problem(response, 401)

        limited = await login(client, "someone@example.com", PASSWORD)

        assert_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1

    async def test_registrations_from_one_client_are_limited(
        self, client: httpx.AsyncClient
    ) -> None:
        for n in range(2):
            response = await register(client, email=f"u{n}@example.com")
            assert response.status_code == 201

        limited = await register(client, email="u9@example.com")

        assert_problem(limited, 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 3600

    async def test_loopback_clients_are_not_limited(
        self, app: Any, client: httpx.AsyncClient
    ) -> None:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as local:
            for n in range(3):
                response = await register(local, email=f"l{n}@example.com")
                assert response.status_code == 201
            for n in range(5):
                response = await login(local, f"l{n}@example.com", "wrong password")
                assert_problem(response, 401)

    async def test_other_clients_are_not_limited(
        self, app: Any, client: httpx.AsyncClient
    ) -> None:
        for n in range(5):
            await login(client, f"user{n}@example.com", "wrong password")
        transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as other:
            response = await login(other, "user0@example.com", "wrong password")

        assert_problem(response, 401)
