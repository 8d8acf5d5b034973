"""Exception handlers: every error leaves as ``application/problem+json``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from ...core.errors import FieldError, ServiceError
from ..middleware import allowed_methods
from ..problems import (
    BODY_NOT_JSON,
    ERROR_DESCRIPTIONS,
    PROBLEM_JSON,
    UNREADABLE_BODY,
    Problem,
    from_service_error,
    from_status,
    from_validation,
)

# Only documented problem responses: the generated schema names them once.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {
            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
        },
    }
    for status, description in ERROR_DESCRIPTIONS.items()
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI ``responses`` entries for these error statuses."""
    return {status: ERROR_RESPONSES[status] for status in statuses}


def respond(problem: Problem) -> Response:
    """Return ``problem`` as an ``application/problem+json`` response."""
    return Response(
        problem.render(),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


_SHARED_MESSAGES = {"uuid_parsing": "Input should be a valid UUID"}
"""Pydantic's messages cut to what Litestar can say too: msgspec tells no
more of a bad UUID than that (pydantic adds "invalid length: ...")."""


def _field_error(error: dict[str, Any]) -> FieldError:
    location = [str(part) for part in error.get("loc", ())]
    if location == ["body"] and isinstance(error.get("input"), bytes):
        # FastAPI hands a body without a JSON Content-Type over undecoded.
        return BODY_NOT_JSON
    if error.get("type") == "json_invalid":
        location = ["body"]  # the rest is a character offset, not a field
    elif location[:1] == ["body"] and len(location) > 1:
        location = location[1:]
    error_type = str(error.get("type", "value_error"))
    return FieldError(
        field=".".join(location) or "body",
        message=_SHARED_MESSAGES.get(error_type) or str(error.get("msg", "invalid")),
        type=error_type,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the shared problem mapping."""

    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> Response:
        return respond(from_service_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> Response:
        return respond(from_validation(_field_error(e) for e in exc.errors()))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 400 and isinstance(
            exc.__cause__, (ValueError, RecursionError)
        ):
            # FastAPI's answer to a body it cannot decode (not UTF-8, or nested
            # too deep for the parser): any unreadable body is a 422, as
            # malformed JSON already is.
            return respond(from_validation([UNREADABLE_BODY]))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
            if request.method == "OPTIONS":
                # Asked which methods the path takes: told, as on Litestar.
                return Response(status_code=204, headers=headers)
        return respond(from_status(exc.status_code, headers))


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """List every method the path answers, not just its first route's.

    Starlette's own ``Allow`` names only the methods of the first route that
    matched the path, though ``GET`` and ``PUT`` of one path are two routes.
    ``OPTIONS`` is answered on every path, ``HEAD`` wherever ``GET`` is.
    """
    routes = request.app.router.routes
    served = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in routes
        )
    ]
    return allowed_methods([*served, "OPTIONS"])
