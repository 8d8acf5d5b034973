"""Domain exception hierarchy.

The core and the domain raise these; only the web adapters turn them into HTTP
responses (see ``web/problems.py``), so services never know about status codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input field.

    Attributes:
        field: Dotted path of the field, e.g. ``email`` or ``query.limit``.
        message: Human-readable reason.
        type: Machine-readable error code.
    """

    field: str
    message: str
    type: str = "value_error"


class ServiceError(Exception):
    """Base class of every error the service reports to its clients."""

    default_detail = "The request could not be processed."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.default_detail
        super().__init__(self.detail)


class ValidationError(ServiceError):
    """The input is well-formed but breaks a rule."""

    default_detail = "The request is invalid."

    def __init__(
        self, detail: str | None = None, errors: Sequence[FieldError] = ()
    ) -> None:
        super().__init__(detail)
        self.errors = tuple(errors)


class AuthenticationError(ServiceError):
    """Credentials are missing, wrong, tampered with or expired."""

    default_detail = "Invalid or missing credentials."


class NotFoundError(ServiceError):
    """The requested entity does not exist (or is not visible to the caller)."""

    default_detail = "The requested item was not found."


class ConflictError(ServiceError):
    """The change would break a uniqueness rule."""

    default_detail = "The item conflicts with an existing one."


class RateLimitedError(ServiceError):
    """Too many attempts; the caller must wait ``retry_after`` seconds."""

    default_detail = "Too many attempts; retry later."

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)


class ExternalServiceError(ServiceError):
    """A dependency (database, Redis) is unavailable."""

    default_detail = "Service unavailable"

    def __init__(self, dependency: str, detail: str | None = None) -> None:
        super().__init__(detail)
        self.dependency = dependency


def describe_cause(error: BaseException) -> str | None:
    """Return ``error``'s cause as ``Type: message`` for a log line, if it has one.

    At most 500 characters: a driver's message can quote a whole statement.
    """
    cause = error.__cause__
    return None if cause is None else f"{type(cause).__name__}: {cause}"[:500]
