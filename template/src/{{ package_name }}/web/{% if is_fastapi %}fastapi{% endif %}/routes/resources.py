"""The caller's resources."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from ...query import refuse_loose_integers
from ...schemas import ResourceCreate, ResourceOut, ResourcePage
from ..dependencies import ContainerDep, CurrentUser
from ..errors import responses

router = APIRouter(prefix="/resources", tags=["resources"])

MAX_OFFSET = 2**31 - 1

_UUID = re.compile(
    r"[0-9A-Fa-f]{32}"
    r"|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)


def _hex_uuid(value: object) -> object:
    """Refuse the UUID spellings msgspec (and so Litestar) refuses.

    Pydantic also takes ``{...}`` and ``urn:uuid:...``; here, as on Litestar,
    an id is 32 hex digits, dashed or not.
    """
    if isinstance(value, str) and not _UUID.fullmatch(value):
        raise PydanticCustomError("uuid_parsing", "Input should be a valid UUID")
    return value


ResourceId = Annotated[uuid.UUID, BeforeValidator(_hex_uuid)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 409, 413, 422, 503),
)
async def create_resource(
    body: ResourceCreate, user: CurrentUser, container: ContainerDep
) -> ResourceOut:
    """Create a resource; names are unique service-wide."""
    resource = await container.resources.create(user.id, body.name, body.description)
    return ResourceOut.of(resource)


@router.get("", responses=responses(401, 422, 503))
async def list_resources(
    request: Request,
    user: CurrentUser,
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ResourcePage:
    """Return a page of the caller's resources, oldest first."""
    refuse_loose_integers(request.query_params.multi_items(), "limit", "offset")
    page = await container.resources.list(user.id, limit, offset)
    return ResourcePage.of(page)


@router.get("/{resource_id}", responses=responses(401, 404, 422, 503))
async def get_resource(
    resource_id: ResourceId, user: CurrentUser, container: ContainerDep
) -> ResourceOut:
    """Return one of the caller's resources."""
    return ResourceOut.of(await container.resources.get(user.id, resource_id))


@router.delete(
    "/{resource_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 404, 422, 503),
)
async def delete_resource(
    resource_id: ResourceId, user: CurrentUser, container: ContainerDep
) -> Response:
    """Delete one of the caller's resources."""
    await container.resources.delete(user.id, resource_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
