"""The caller's resources."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from ...query import refuse_loose_integers
from ...schemas import ResourceCreate, ResourceOut, ResourcePage
from ..dependencies import AuthenticatedController, ContainerDep, CurrentUser
from ..errors import responses

MAX_OFFSET = 2**31 - 1

# The id segment is matched as text and validated by the handler's annotation,
# so a malformed id is invalid input (422), not an unknown route (404).
ITEM = "/{resource_id:str}"


class ResourcesController(AuthenticatedController):
    """Create, list, read and delete the caller's resources."""

    path = "/resources"
    tags = ("resources",)

    @post(responses=responses(401, 409, 413, 422, 503))
    async def create_resource(
        self, data: JSONBody[ResourceCreate], user: CurrentUser, container: ContainerDep
    ) -> ResourceOut:
        """Create a resource; names are unique service-wide."""
        resource = await container.resources.create(
            user.id, data.name, data.description
        )
        return ResourceOut.of(resource)

    @get(responses=responses(401, 422, 503))
    async def list_resources(
        self,
        request: Request[Any, Any, Any],
        user: CurrentUser,
        container: ContainerDep,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> ResourcePage:
        """Return a page of the caller's resources, oldest first."""
        refuse_loose_integers(request.query_params.multi_items(), "limit", "offset")
        page = await container.resources.list(user.id, limit, offset)
        return ResourcePage.of(page)

    @get(ITEM, responses=responses(401, 404, 422, 503))
    async def get_resource(
        self,
        resource_id: FromPath[uuid.UUID],
        user: CurrentUser,
        container: ContainerDep,
    ) -> ResourceOut:
        """Return one of the caller's resources."""
        return ResourceOut.of(await container.resources.get(user.id, resource_id))

    @delete(ITEM, responses=responses(401, 404, 422, 503))
    async def delete_resource(
        self,
        resource_id: FromPath[uuid.UUID],
        user: CurrentUser,
        container: ContainerDep,
    ) -> None:
        """Delete one of the caller's resources."""
        await container.resources.delete(user.id, resource_id)
