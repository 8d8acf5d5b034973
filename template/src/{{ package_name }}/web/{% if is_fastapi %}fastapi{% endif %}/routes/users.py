"""The authenticated user's own profile."""

from __future__ import annotations

from fastapi import APIRouter

from ...schemas import UpdateProfileRequest, UserOut
from ..dependencies import ContainerDep, CurrentUser
from ..errors import responses

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", responses=responses(401, 503))
async def read_me(user: CurrentUser) -> UserOut:
    """Return the caller's profile."""
    return UserOut.of(user)


@router.put("/me", responses=responses(401, 409, 413, 422, 503))
async def update_me(
    body: UpdateProfileRequest, user: CurrentUser, container: ContainerDep
) -> UserOut:
    """Change the caller's email, phone or names."""
    updated = await container.users.update_profile(user, body.changes())
    return UserOut.of(updated)
