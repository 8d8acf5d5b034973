"""Two service processes on one database: a name is still created only once.

They start together on a database without tables: with ``AUTO_MIGRATE`` both
migrate it, one after the other (``storage/migration_lock.py``).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.e2e.conftest import Server, StartServers
from tests.support import free_port


@pytest.fixture
def replicas(
    environment: dict[str, str], empty_database_url: str, start_servers: StartServers
) -> list[Server]:
    """Two live services on one new database, started at the same time."""
    shared = {**environment, "DATABASE_URL": empty_database_url}
    return start_servers(shared, {**shared, "PORT": str(free_port())})


async def create(server: Server, headers: dict[str, str], times: int) -> list[int]:
    """Send ``times`` concurrent creations of one name; return the statuses."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        responses = await asyncio.gather(
            *(
                http.post("/resources", headers=headers, json={"name": "contested"})
                for _ in range(times)
            )
        )
    return [response.status_code for response in responses]


async def test_concurrent_creations_through_two_processes_give_one_201(
    replicas: list[Server],
) -> None:
    credentials = {"email": "twice@example.com", "password": "correct horse"}
    async with httpx.AsyncClient(base_url=replicas[0].base_url) as http:
        assert (await http.post("/auth/register", json=credentials)).status_code == 201
        login = await http.post("/auth/login", json=credentials)
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    first, second = await asyncio.gather(
        *(create(server, headers, 10) for server in replicas)
    )

    assert sorted(first + second) == [201] + [409] * 19
