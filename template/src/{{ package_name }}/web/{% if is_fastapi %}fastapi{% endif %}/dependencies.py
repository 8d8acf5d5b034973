"""Typed dependencies: the container and the authenticated user."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ...bootstrap import Container
from ...core.errors import AuthenticationError
from ...domain.users import User

_bearer = HTTPBearer(auto_error=False, description="Token from POST /auth/login")


async def get_container(request: Request) -> Container:
    """Return the container the app factory built.

    ``async`` although it never awaits: FastAPI runs a plain ``def``
    dependency in its thread pool, a thread hop on every request.
    """
    return cast(Container, request.app.state.container)


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_current_user(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """Return the user named by the bearer token.

    Raises:
        AuthenticationError: If the token is missing, malformed, tampered with
            or expired, or its user no longer exists.
    """
    if credentials is None:
        raise AuthenticationError
    return await container.users.authenticate(credentials.credentials)


CurrentUser = Annotated[User, Depends(get_current_user)]
