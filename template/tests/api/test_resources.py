"""Resources: create, list with paging, read, delete, uniqueness."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.conftest import Account, AccountFactory
from tests.support import assert_problem, error_fields


async def create(
    client: httpx.AsyncClient, account: Account, name: str, **body: object
) -> httpx.Response:
    return await client.post(
        "/resources", headers=account.headers, json={"name": name, **body}
    )


async def test_create_returns_the_resource(
    client: httpx.AsyncClient, account: Account
) -> None:
    response = await create(client, account, "  alpha  ", description="first")

    assert response.status_code == 201
    resource = response.json()
    assert set(resource) == {"id", "name", "description", "created_at"}
    assert (resource["name"], resource["description"]) == ("alpha", "first")


async def test_names_are_unique_across_users(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    first, second = await make_account(), await make_account()
    await create(client, first, "shared")

    response = await create(client, second, "shared")

    assert_problem(response, 409)


async def test_names_are_compared_exactly_and_kept_in_any_script(
    client: httpx.AsyncClient, account: Account
) -> None:
    names = ["Cafe", "cafe", "café", "CAFÉ", "café ☕🚀", "カフェ"]

    responses = [await create(client, account, name) for name in names]

    assert [response.status_code for response in responses] == [201] * len(names)
    assert [response.json()["name"] for response in responses] == names


async def test_concurrent_creations_of_one_name_give_one_201(
    client: httpx.AsyncClient, account: Account
) -> None:
    responses = await asyncio.gather(
        *(create(client, account, "contested") for _ in range(20))
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 19


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "nul\x00"},
        {"name": 42},
        {"name": "ok", "description": "nul\x00"},
        {"name": "ok", "description": "x" * 2001},
        {"name": "ok", "owner_id": "someone"},
    ],
)
async def test_create_refuses_invalid_bodies(
    client: httpx.AsyncClient, account: Account, body: dict[str, object]
) -> None:
    response = await client.post("/resources", headers=account.headers, json=body)

    assert error_fields(response)


async def test_list_pages_through_the_callers_resources(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    mine, theirs = await make_account(), await make_account()
    names = [f"item-{n}" for n in range(5)]
    for name in names:
        await create(client, mine, name)
    await create(client, theirs, "not-mine")

    first = await client.get("/resources?limit=2", headers=mine.headers)
    rest = await client.get("/resources?limit=10&offset=2", headers=mine.headers)

    assert first.status_code == rest.status_code == 200
    assert (first.json()["total"], first.json()["limit"], first.json()["offset"]) == (
        5,
        2,
        0,
    )
    listed = [item["name"] for item in first.json()["items"] + rest.json()["items"]]
    assert listed == names


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("limit=0", {"query.limit"}),
        ("limit=101", {"query.limit"}),
        ("offset=-1", {"query.offset"}),
        ("limit=abc", {"query.limit"}),
        ("offset=99999999999999999999", {"query.offset"}),
        ("limit=0&offset=-1", {"query.limit", "query.offset"}),
    ],
)
async def test_list_refuses_bad_paging(
    client: httpx.AsyncClient, account: Account, query: str, fields: set[str]
) -> None:
    response = await client.get(f"/resources?{query}", headers=account.headers)

    assert error_fields(response) == fields


@pytest.mark.parametrize(
    ("query", "field", "error_type", "message"),
    [
        ("limit=0", "query.limit", "greater_than_equal", "greater than or equal to 1"),
        ("limit=101", "query.limit", "less_than_equal", "less than or equal to 100"),
        (
            "offset=-1",
            "query.offset",
            "greater_than_equal",
            "greater than or equal to 0",
        ),
        (
            "limit=abc",
            "query.limit",
            "int_parsing",
            "a valid integer, unable to parse string as an integer",
        ),
    ],
)
async def test_paging_errors_read_alike_on_every_framework(
    client: httpx.AsyncClient,
    account: Account,
    query: str,
    field: str,
    error_type: str,
    message: str,
) -> None:
    response = await client.get(f"/resources?{query}", headers=account.headers)

    assert assert_problem(response, 422)["errors"] == [
        {"field": field, "message": f"Input should be {message}", "type": error_type}
    ]


@pytest.mark.parametrize(
    ("query", "field", "error_type"),
    [
        ("limit=2.0", "query.limit", "int_parsing"),
        ("offset=1e1", "query.offset", "int_parsing"),
        ("limit=%2B5", "query.limit", "int_parsing"),
        ("limit=05", "query.limit", "int_parsing"),
        ("offset=%205", "query.offset", "int_parsing"),
        ("offset=1_0", "query.offset", "int_parsing"),
        ("limit=5&offset=0&offset=1", "query.offset", "int_type"),
        ("sort=x&offset=0&offset=1&offset=2", "query.offset", "int_type"),
    ],
)
async def test_paging_takes_an_integer_only_as_plain_digits_given_once(
    client: httpx.AsyncClient,
    account: Account,
    query: str,
    field: str,
    error_type: str,
) -> None:
    response = await client.get(f"/resources?{query}", headers=account.headers)

    [error] = assert_problem(response, 422)["errors"]
    assert (error["field"], error["type"]) == (field, error_type)


async def test_get_and_delete_a_resource(
    client: httpx.AsyncClient, account: Account
) -> None:
    created = (await create(client, account, "gone-soon")).json()
    url = f"/resources/{created['id']}"

    assert (await client.get(url, headers=account.headers)).json() == created
    deleted = await client.delete(url, headers=account.headers)
    assert deleted.status_code == 204
    assert not deleted.content
    assert_problem(await client.get(url, headers=account.headers), 404)
    assert_problem(await client.delete(url, headers=account.headers), 404)


async def test_other_users_resources_are_not_found(
    client: httpx.AsyncClient, make_account: AccountFactory
) -> None:
    owner, stranger = await make_account(), await make_account()
    created = (await create(client, owner, "private")).json()
    url = f"/resources/{created['id']}"

    assert_problem(await client.get(url, headers=stranger.headers), 404)
    assert_problem(await client.delete(url, headers=stranger.headers), 404)


@pytest.mark.parametrize(
    "resource_id",
    [
        "abc",
        "1",
        "9" * 40,
        "{0d4e6a62-0000-4000-8000-000000000000}",
        "urn:uuid:0d4e6a62-0000-4000-8000-000000000000",
    ],
)
async def test_malformed_ids_are_invalid(
    client: httpx.AsyncClient, account: Account, resource_id: str
) -> None:
    response = await client.get(f"/resources/{resource_id}", headers=account.headers)

    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == "path.resource_id"
    assert error["type"] == "uuid_parsing"
    assert error["message"] == "Input should be a valid UUID"  # on both frameworks


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/resources"),
        ("GET", "/resources"),
        ("GET", f"/resources/{uuid.uuid4()}"),
        ("DELETE", f"/resources/{uuid.uuid4()}"),
    ],
)
async def test_every_resource_route_requires_a_token(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={"name": "x"})

    assert_problem(response, 401)
