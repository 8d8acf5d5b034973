"""Resources: named items each user creates, lists, reads and deletes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..core.errors import NotFoundError
from ..core.logging import get_logger

_logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Resource:
    """A named item. Names are unique service-wide."""

    id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    description: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Page:
    """One page of resources and the total count."""

    items: list[Resource]
    total: int
    limit: int
    offset: int


class ResourceRepository(Protocol):
    """Where resources live; the name is unique (a database constraint)."""

    async def add(
        self, owner_id: uuid.UUID, name: str, description: str | None
    ) -> Resource:
        """Store a resource; raise ``ConflictError`` if the name is taken."""

    async def get(self, owner_id: uuid.UUID, resource_id: uuid.UUID) -> Resource | None:
        """Return the owner's resource with this id, if any."""

    async def list(self, owner_id: uuid.UUID, limit: int, offset: int) -> Page:
        """Return a page of the owner's resources, oldest first."""

    async def delete(self, owner_id: uuid.UUID, resource_id: uuid.UUID) -> bool:
        """Delete the owner's resource; return whether it existed."""


class ResourceService:
    """Use cases of resources; callers only ever see their own."""

    def __init__(self, resources: ResourceRepository) -> None:
        self._resources = resources

    async def create(
        self, owner_id: uuid.UUID, name: str, description: str | None = None
    ) -> Resource:
        """Create a resource; raise ``ConflictError`` if the name is taken."""
        resource = await self._resources.add(owner_id, name, description)
        _logger.info("resource_created", resource_id=str(resource.id))
        return resource

    async def get(self, owner_id: uuid.UUID, resource_id: uuid.UUID) -> Resource:
        """Return one resource; raise ``NotFoundError`` if it is not the caller's."""
        resource = await self._resources.get(owner_id, resource_id)
        if resource is None:
            raise NotFoundError("Resource not found.")
        return resource

    async def list(self, owner_id: uuid.UUID, limit: int, offset: int) -> Page:
        """Return a page of the caller's resources."""
        return await self._resources.list(owner_id, limit, offset)

    async def delete(self, owner_id: uuid.UUID, resource_id: uuid.UUID) -> None:
        """Delete one resource; raise ``NotFoundError`` if it is not the caller's."""
        if not await self._resources.delete(owner_id, resource_id):
            raise NotFoundError("Resource not found.")
        _logger.info("resource_deleted", resource_id=str(resource_id))
