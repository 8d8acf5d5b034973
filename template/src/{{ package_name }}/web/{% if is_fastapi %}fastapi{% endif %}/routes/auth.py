"""Registration and login."""

from __future__ import annotations

from fastapi import APIRouter, status

from ...schemas import LoginRequest, RegisterRequest, TokenOut, UserOut
from ..dependencies import ContainerDep
from ..errors import responses

router = APIRouter(prefix="/auth", tags=["auth"])


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


@router.post("/login", responses=responses(401, 413, 422, 429, 503))
async def login(body: LoginRequest, container: ContainerDep) -> TokenOut:
    """Exchange email and password for a bearer token."""
    token = await container.users.login(body.email, body.password)
    return TokenOut(access_token=token.access_token, expires_in=token.expires_in)
