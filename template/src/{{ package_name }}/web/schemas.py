"""Request and response bodies, shared by every framework adapter.

Validation lives here, so both frameworks refuse the same input with the same
422: no NUL bytes in any text (PostgreSQL cannot store them), bounded lengths,
real email addresses, passwords of 8 to 128 characters in any script.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ..domain.resources import Page, Resource
from ..domain.users import User

# PostgreSQL cannot store NUL; as a pattern, the rule is in the OpenAPI document.
NO_NUL = r"^[^\x00]*$"
# email-validator caps an address at 254 characters (RFC 5321) by itself; the
# schema says just that (not the model's catch-all 1000-character limit).
EMAIL_SCHEMA = {"type": "string", "format": "email"}


def _email_address(value: str) -> str:
    """Return ``value`` normalised (domain in lower case) if it is an address.

    What pydantic's ``EmailStr`` checks, stricter on form: no display name
    (``Ada <ada@example.com>``) and no surrounding spaces, both of which
    ``EmailStr`` would strip. Special-use domains (``.local``, ``.onion``,
    ``.invalid``...) are refused, bar ``.test``, the one RFC 6761 sets aside
    for testing, which test suites and API fuzzers send.
    """
    try:
        address = validate_email(
            value, check_deliverability=False, test_environment=True
        )
    except EmailNotValidError as error:
        raise PydanticCustomError(
            "value_error",
            "value is not a valid email address: {reason}",
            {"reason": str(error)},
        ) from None
    return address.normalized


Email = Annotated[str, AfterValidator(_email_address), WithJsonSchema(EMAIL_SCHEMA)]
Password = Annotated[
    str, StringConstraints(min_length=8, max_length=128, pattern=NO_NUL)
]
PersonName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)
]
Phone = Annotated[
    str,
    StringConstraints(min_length=10, max_length=15, pattern=r"^\+?[0-9]+$"),
    Field(examples=["+14155550123"]),
]

# What pydantic's strip_whitespace trims: Unicode's White_Space characters.
_SPACES = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_PADDING = rf"[{_SPACES}]*"
_EDGE = rf"[^{_SPACES}\x00]"  # a name's first or last character
_TRIMMED_NAME = (
    "^" + _PADDING + _EDGE + r"(?:[^\x00]{0,98}" + _EDGE + ")?" + _PADDING + "$"
)
ResourceName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=NO_NUL
    ),
    # The document says what is checked: 1-100 characters once trimmed, the
    # whitespace around them of any length.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _TRIMMED_NAME,
            "description": "1-100 characters once surrounding whitespace is "
            "trimmed; no NUL.",
        }
    ),
]
Description = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=1_000)


class RegisterRequest(_Input):
    """Registration form."""

    email: Email
    password: Password
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    phone: Phone | None = None


class LoginRequest(_Input):
    """Credentials."""

    email: Email
    password: Password


class UpdateProfileRequest(_Input):
    """Profile changes; omitted fields stay as they are."""

    # May be left out, but not sent as null: the schema documents just that
    # (pydantic's JSON schema drives the OpenAPI document of both frameworks).
    # A plain `| None` keeps pydantic's error locations plain (`email`).
    email: Annotated[Email | None, WithJsonSchema(EMAIL_SCHEMA)] = None
    phone: Phone | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None

    @field_validator("email")
    @classmethod
    def _email_cannot_be_removed(cls, email: str | None) -> str | None:
        # Runs only for an email the client sent: a default is not validated.
        if email is None:
            msg = "email cannot be null"
            raise ValueError(msg)
        return email

    def changes(self) -> dict[str, str | None]:
        """Return only the fields the client sent."""
        return self.model_dump(exclude_unset=True)


class ResourceCreate(_Input):
    """A new resource."""

    name: ResourceName
    description: Description | None = None


class UserOut(BaseModel):
    """A user as clients see it: never a password or hash."""

    id: uuid.UUID
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        """Project a domain user."""
        return cls(
            id=user.id,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            phone=user.phone,
            created_at=user.created_at,
        )


class TokenOut(BaseModel):
    """An access token."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int


class ResourceOut(BaseModel):
    """A resource."""

    id: uuid.UUID
    name: str
    description: str | None
    created_at: datetime

    @classmethod
    def of(cls, resource: Resource) -> ResourceOut:
        """Project a domain resource."""
        return cls(
            id=resource.id,
            name=resource.name,
            description=resource.description,
            created_at=resource.created_at,
        )


class ResourcePage(BaseModel):
    """One page of resources."""

    items: list[ResourceOut]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: Page) -> ResourcePage:
        """Project a domain page."""
        return cls(
            items=[ResourceOut.of(item) for item in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
        )


class LiveOut(BaseModel):
    """Liveness."""

    status: str


class ReadyOut(BaseModel):
    """Readiness, with the outcome of each dependency check."""

    status: str
    checks: dict[str, str]


class FieldErrorOut(BaseModel):
    """One invalid field of a 422."""

    field: str
    message: str
    type: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    correlation_id: str
    errors: list[FieldErrorOut] | None = None
    checks: dict[str, str] | None = None
