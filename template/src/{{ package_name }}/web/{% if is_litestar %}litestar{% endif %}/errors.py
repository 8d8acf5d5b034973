"""Exception handlers: every error leaves as ``application/problem+json``.

Litestar answers malformed input with 400; here every such failure becomes the
shared 422 problem, its fields named as in every adapter: body fields by name
(``email``), parameters by location (``query.limit``, ``path.resource_id``) and
the body as a whole as ``body``. Parameters, which Litestar parses itself,
fail with msgspec's messages: the common ones are told as pydantic (and so
FastAPI) tells them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any, cast

from litestar import Request, Response
from litestar.enums import ParamType
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from ...core.errors import FieldError, ServiceError
from ...core.logging import get_logger
from ..middleware import allowed_methods
from ..problems import (
    BODY_NOT_AN_OBJECT,
    BODY_NOT_JSON,
    ERROR_DESCRIPTIONS,
    PROBLEM_JSON,
    UNREADABLE_BODY,
    Problem,
    from_service_error,
    from_status,
    from_validation,
    internal_error,
)
from ..schemas import ProblemOut

_errors = get_logger("errors")

_BODY_PARAMETER = "data"
"""The handler parameter Litestar injects the request body into."""

_PARAMETER_ERRORS = (
    (
        re.compile(r"Expected `int`, got `str`"),
        "int_parsing",
        "Input should be a valid integer, unable to parse string as an integer",
    ),
    (
        re.compile(r"Expected `float`, got `str`"),
        "float_parsing",
        "Input should be a valid number, unable to parse string as a number",
    ),
    (
        re.compile(r"Expected `bool`, got `str`"),
        "bool_parsing",
        "Input should be a valid boolean, unable to interpret input",
    ),
    (
        re.compile(r"Expected `\w+` >= (?P<bound>\S+)"),
        "greater_than_equal",
        "Input should be greater than or equal to {bound}",
    ),
    (
        re.compile(r"Expected `\w+` <= (?P<bound>\S+)"),
        "less_than_equal",
        "Input should be less than or equal to {bound}",
    ),
    (re.compile(r"Invalid UUID"), "uuid_parsing", "Input should be a valid UUID"),
)
"""msgspec's message of a bad parameter -> pydantic's type and message."""

_MISSING_PARAMETER = re.compile(
    r"Missing required (?P<source>\w+) parameter (?P<name>.+?) for path "
)
"""How Litestar words a required parameter left out (it lists no field)."""

_CLIENT_LEFT = "client disconnected prematurely"
"""The detail of the 500 Litestar raises when a body ends in a disconnect:
the client left, or ``RequestMiddleware`` cut the body off."""

_MISSING_BODY = FieldError("body", "Field required", "missing")


def responses(*statuses: int) -> dict[int, ResponseSpec]:
    """Return the OpenAPI ``responses`` entries for these error statuses."""
    return {
        status: ResponseSpec(
            ProblemOut,
            description=ERROR_DESCRIPTIONS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in statuses
    }


def respond(problem: Problem) -> Response[Any]:
    """Return ``problem`` as an ``application/problem+json`` response.

    Typed ``Response[Any]`` so a handler documented as ``Response[Model]`` can
    return it as its error branch.
    """
    return Response(
        problem.render(),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


class BodyNotJsonError(ClientException):
    """A body came without a JSON ``Content-Type``."""


class JsonRequest(Request[Any, Any, Any]):
    """A request whose body is read as JSON only if it says it is JSON."""

    async def json(self) -> Any:
        """Return the decoded JSON body.

        Raises:
            BodyNotJsonError: If a body comes without a JSON ``Content-Type``
                (a form posted from another site, say).
            ClientException: If the body is nested too deep to decode
                (Litestar would let ``RecursionError`` out as a 500).
        """
        media_type = self.content_type[0]
        if await self.body() and not (
            media_type == "application/json"
            or (media_type.startswith("application/") and media_type.endswith("+json"))
        ):
            raise BodyNotJsonError(BODY_NOT_JSON.message)
        try:
            return await super().json()
        except RecursionError as error:
            raise ClientException(str(error)) from error


def _field_error(message: Mapping[str, Any], error_type: str) -> FieldError:
    key: str | None = message.get("key")
    source = message.get("source")
    text: str = message["message"]
    if key == _BODY_PARAMETER:
        return _MISSING_BODY
    if key is None:
        # FastAPI's wording, which names no class of ours.
        if error_type == "model_type":
            return BODY_NOT_AN_OBJECT
        return FieldError("body", text, error_type)
    if isinstance(source, ParamType):
        return FieldError(f"{source.value}.{key}", *_as_pydantic(text, error_type))
    return FieldError(key, text, error_type)


def _as_pydantic(message: str, error_type: str) -> tuple[str, str]:
    """Return a parameter error's message and type as pydantic gives them.

    msgspec's common messages are translated; any other is kept as it is.
    """
    for pattern, pydantic_type, pydantic_message in _PARAMETER_ERRORS:
        if matched := pattern.fullmatch(message):
            return pydantic_message.format(**matched.groupdict()), pydantic_type
    return message, error_type


def _service_error(_: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    return respond(from_service_error(exc))


def _invalid_request(
    _: Request[Any, Any, Any], exc: ValidationException
) -> Response[Any]:
    messages = cast("list[Mapping[str, Any]]", exc.extra or [])
    if not messages:
        return respond(from_validation([_error_in_detail(exc.detail)]))
    types = _pydantic_error_types(exc, len(messages))
    return respond(from_validation(map(_field_error, messages, types)))


def _error_in_detail(detail: str) -> FieldError:
    """Name the field of a failure Litestar describes in its detail alone.

    Litestar stops at the first required parameter missing, and says so in
    words: ``Missing required query parameter 'q' for path /search?...``.
    Any other such failure is put on the body.
    """
    missing = _MISSING_PARAMETER.match(detail)
    if missing is None:
        return FieldError("body", detail, "value_error")
    name = ast.literal_eval(missing["name"])
    return FieldError(f"{missing['source']}.{name}", "Field required", "missing")


def _pydantic_error_types(exc: ValidationException, count: int) -> list[str]:
    """Return the type of each error, as pydantic (and FastAPI) names it.

    Litestar keeps only each pydantic error's message; the errors themselves,
    in the same order, are on the exception's cause. Parameters that Litestar
    parses itself (``query.limit``) have no pydantic type: ``value_error``.
    """
    errors = getattr(exc.__cause__, "errors", None)
    if isinstance(errors, list) and len(errors) == count:
        return [str(error.get("type", "value_error")) for error in errors]
    return ["value_error"] * count


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, BodyNotJsonError):
        return respond(from_validation([BODY_NOT_JSON]))
    if exc.status_code == HTTP_400_BAD_REQUEST:
        # Litestar's other 400s are bodies it could not decode.
        return respond(from_validation([UNREADABLE_BODY]))
    if exc.detail == _CLIENT_LEFT:
        # No one reads this answer: the client is gone, or has had its 413.
        _errors.info("client_disconnected", path=request.scope["path"])
    elif exc.status_code >= HTTP_500_INTERNAL_SERVER_ERROR:
        _errors.warning("server_error", status=exc.status_code, detail=exc.detail)
    headers = dict(exc.headers or {})
    if "allow" in headers:  # a 405 from Litestar's router: HEAD goes with GET
        headers["allow"] = allowed_methods(headers["allow"].split(", "))
    return respond(from_status(exc.status_code, headers))


def _unexpected_error(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    _errors.exception("unhandled_error", path=request.scope["path"])
    return respond(internal_error())


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ServiceError: _service_error,
    ValidationException: _invalid_request,
    HTTPException: _http_error,
    Exception: _unexpected_error,
}
"""Route every error through the shared problem mapping."""
