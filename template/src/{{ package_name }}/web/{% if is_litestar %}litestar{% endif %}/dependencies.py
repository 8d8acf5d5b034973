"""Dependencies for Litestar's injector: the container and the authenticated user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from litestar import Controller, Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import SecurityRequirement, SecurityScheme

from ...bootstrap import Container
from ...core.errors import AuthenticationError
from ...domain.users import User

BEARER = "BearerToken"

SECURITY_SCHEMES: dict[str, SecurityScheme] = {
    BEARER: SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="JWT",
        description="Token from POST /auth/login",
    )
}


def provide_container(state: State) -> Container:
    """Return the container the app factory built."""
    return cast(Container, state.container)


ContainerDep = NamedDependency[Container]


async def provide_current_user(
    request: Request[Any, Any, Any], container: ContainerDep
) -> User:
    """Return the user named by the bearer token.

    Raises:
        AuthenticationError: If the token is missing, malformed, tampered with
            or expired, or its user no longer exists.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError
    return await container.users.authenticate(token)


CurrentUser = NamedDependency[User]


class AuthenticatedController(Controller):
    """A controller whose every route needs a bearer token (injected as ``user``)."""

    # Litestar reads its layer settings off the class.
    dependencies = {"user": Provide(provide_current_user)}  # noqa: RUF012
    security: Sequence[SecurityRequirement] = ({BEARER: []},)
