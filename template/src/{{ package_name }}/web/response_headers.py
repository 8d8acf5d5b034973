"""The headers responses always carry, declared in the OpenAPI document.

Every response has ``X-Request-ID`` (the middleware adds it) and every 429 a
``Retry-After``; both framework adapters pass their document through
:func:`declare_response_headers`.
"""

from __future__ import annotations

from typing import Any

REQUEST_ID = {
    "description": "The request's correlation id: the client's own when it is "
    "1-128 characters of [A-Za-z0-9._-], else a new UUID.",
    "required": True,
    "schema": {"type": "string"},
}
RETRY_AFTER = {
    "description": "Whole seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}


def _response_headers(status: str) -> dict[str, dict[str, Any]]:
    """Return the OpenAPI header objects a ``status`` response always carries."""
    headers = {"X-Request-ID": REQUEST_ID}
    if status == "429":
        headers["Retry-After"] = RETRY_AFTER
    return headers


def declare_response_headers(document: dict[str, Any]) -> dict[str, Any]:
    """Declare the headers above on every response ``document`` lists."""
    for path_item in document.get("paths", {}).values():
        # A path item's values are operations, bar shared "parameters" (a list).
        operations = [value for value in path_item.values() if isinstance(value, dict)]
        for operation in operations:
            for status, response in operation.get("responses", {}).items():
                response.setdefault("headers", {}).update(_response_headers(status))
    return document
