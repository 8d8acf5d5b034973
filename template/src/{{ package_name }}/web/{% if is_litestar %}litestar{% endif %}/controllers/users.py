"""The authenticated user's own profile."""

from __future__ import annotations

from litestar import get, put
from litestar.params import JSONBody

from ...schemas import UpdateProfileRequest, UserOut
from ..dependencies import AuthenticatedController, ContainerDep, CurrentUser
from ..errors import responses


class UsersController(AuthenticatedController):
    """The caller's profile."""

    path = "/users"
    tags = ("users",)

    @get("/me", responses=responses(401, 503))
    async def read_me(self, user: CurrentUser) -> UserOut:
        """Return the caller's profile."""
        return UserOut.of(user)

    @put("/me", responses=responses(401, 409, 413, 422, 503))
    async def update_me(
        self,
        data: JSONBody[UpdateProfileRequest],
        user: CurrentUser,
        container: ContainerDep,
    ) -> UserOut:
        """Change the caller's email, phone or names."""
        updated = await container.users.update_profile(user, data.changes())
        return UserOut.of(updated)
