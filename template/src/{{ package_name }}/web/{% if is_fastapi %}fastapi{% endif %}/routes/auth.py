"""Registration and login."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from ...schemas import LoginRequest, RegisterRequest, TokenOut, UserOut
from ..dependencies import ContainerDep
from ..errors import responses

router = APIRouter(prefix="/auth", tags=["auth"])

NOT_CACHED = {"headers": {"Cache-Control": {"schema": {"type": "string"}}}}
"""The token response's header, as the OpenAPI document lists it."""


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=responses(409, 413, 422, 429, 503),
)
async def register(body: RegisterRequest, container: ContainerDep) -> UserOut:
    """Create an account; the email must not be registered yet."""
    user = await container.users.register(
        body.email,
        body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        phone=body.phone,
    )
    return UserOut.of(user)


@router.post(
    "/login",
    responses={200: NOT_CACHED, **responses(401, 413, 422, 429, 503)},
)
async def login(
    body: LoginRequest, container: ContainerDep, response: Response
) -> TokenOut:
    """Exchange email and password for a bearer token, never to be cached."""
    token = await container.users.login(body.email, body.password)
    response.headers["Cache-Control"] = "no-store"  # RFC 6749, 5.1
    return TokenOut(access_token=token.access_token, expires_in=token.expires_in)
