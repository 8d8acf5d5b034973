"""Registration and login."""

from __future__ import annotations

from litestar import Controller, post
from litestar.datastructures import CacheControlHeader
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from ...schemas import LoginRequest, RegisterRequest, TokenOut, UserOut
from ..dependencies import ContainerDep
from ..errors import responses


class AuthController(Controller):
    """Accounts and tokens."""

    path = "/auth"
    tags = ("auth",)

    @post("/register", responses=responses(409, 413, 422, 429, 503))
    async def register(
        self, data: JSONBody[RegisterRequest], container: ContainerDep
    ) -> UserOut:
        """Create an account; the email must not be registered yet."""
        user = await container.users.register(
            data.email,
            data.password,
            first_name=data.first_name,
            last_name=data.last_name,
            phone=data.phone,
        )
        return UserOut.of(user)

    @post(
        "/login",
        status_code=HTTP_200_OK,
        responses=responses(401, 413, 422, 429, 503),
        cache_control=CacheControlHeader(no_store=True),  # RFC 6749, 5.1
    )
    async def login(
        self, data: JSONBody[LoginRequest], container: ContainerDep
    ) -> TokenOut:
        """Exchange email and password for a bearer token, never to be cached."""
        token = await container.users.login(data.email, data.password)
        return TokenOut(access_token=token.access_token, expires_in=token.expires_in)
