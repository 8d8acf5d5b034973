"""Domain errors as RFC 9457 problem details, the same for every framework.

This is the one place that maps the exception hierarchy to HTTP status codes.
Owners map their own ``ServiceError`` subclasses in ``hooks.error_statuses``;
the app factory registers them with :func:`register_errors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import orjson

from ..core.errors import (
    AuthenticationError,
    ConflictError,
    ExternalServiceError,
    FieldError,
    NotFoundError,
    RateLimitedError,
    ServiceError,
    ValidationError,
    describe_cause,
)
from ..core.logging import get_logger
from ..core.security import current_correlation_id

_errors = get_logger("errors")

PROBLEM_JSON = "application/problem+json"
INTERNAL_ERROR = "Internal server error"
UNAVAILABLE = "Service unavailable"

ERROR_DESCRIPTIONS = {
    401: "Missing, malformed, tampered or expired credentials",
    404: "Not found",
    409: "Conflicts with an existing item",
    413: "Body larger than MAX_REQUEST_BODY_BYTES",
    422: "Invalid input",
    429: "Too many attempts",
    503: "A dependency is unavailable",
}
"""What each documented error status means, for the OpenAPI document."""

UNREADABLE_BODY = FieldError("body", "JSON decode error", "json_invalid")
"""A body that is not JSON at all: malformed, not UTF-8 or nested too deep."""
BODY_NOT_JSON = FieldError(
    "body",
    "The body is not declared as JSON: send it with Content-Type: application/json.",
    "not_json",
)
"""A body sent without a JSON ``Content-Type`` (``curl -d`` sends a form)."""
BODY_NOT_AN_OBJECT = FieldError(
    "body",
    "Input should be a valid dictionary or object to extract fields from",
    "model_attributes_type",
)
"""A JSON body that is an array, a string or a number where an object belongs."""

_STATUS: dict[type[ServiceError], int] = {
    ValidationError: 422,
    AuthenticationError: 401,
    NotFoundError: 404,
    ConflictError: 409,
    RateLimitedError: 429,
    ExternalServiceError: 503,
}


def register_errors(statuses: Mapping[type[ServiceError], int]) -> None:
    """Map more ``ServiceError`` subclasses (the owner's) to HTTP statuses."""
    _STATUS.update(statuses)


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem response: status, JSON body and extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def render(self) -> bytes:
        """Return the body as JSON bytes."""
        return orjson.dumps(self.body)


def problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    """Return an RFC 9457 body carrying the current correlation id."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "correlation_id": current_correlation_id(),
        **extra,
    }


def status_of(error: ServiceError) -> int:
    """Return the HTTP status of ``error`` (its nearest mapped ancestor's)."""
    for error_type in type(error).__mro__:
        if error_type in _STATUS:
            return _STATUS[error_type]
    return 500


def from_service_error(error: ServiceError) -> Problem:
    """Translate a domain error; 5xx bodies never carry internal details."""
    status = status_of(error)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    detail = error.detail
    if isinstance(error, ValidationError):
        extra["errors"] = [_field(e) for e in error.errors]
    if isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status >= 500:
        detail = _server_error_detail(status)
        _log_hidden_cause(error)
    return Problem(status, problem(status, detail, **extra), headers)


def _log_hidden_cause(error: ServiceError) -> None:
    """Log what a 5xx answer keeps from the client: the error and its cause."""
    _errors.warning(
        "dependency_unavailable"
        if isinstance(error, ExternalServiceError)
        else "service_error",
        dependency=getattr(error, "dependency", None),
        error=type(error).__name__,
        detail=error.detail,
        cause=describe_cause(error),
    )


def from_validation(errors: Iterable[FieldError]) -> Problem:
    """Return the uniform 422 problem for invalid input."""
    return Problem(
        422,
        problem(422, "The request is invalid.", errors=[_field(e) for e in errors]),
    )


def from_status(status: int, headers: Mapping[str, str] | None = None) -> Problem:
    """Return a problem for a bare HTTP status (404 route, 405 method, ...)."""
    if status >= 500:
        detail = _server_error_detail(status)
    else:
        detail = HTTPStatus(status).description
    return Problem(status, problem(status, detail), dict(headers or {}))


def internal_error() -> Problem:
    """Return the generic 500 problem."""
    return from_status(500)


def _server_error_detail(status: int) -> str:
    """Return the only detail a 5xx answer gives: nothing of its cause."""
    return UNAVAILABLE if status == 503 else INTERNAL_ERROR


def _field(error: FieldError) -> dict[str, str]:
    return {"field": error.field, "message": error.message, "type": error.type}
