"""Assertions shared by the test modules."""

from __future__ import annotations

from typing import Any

import httpx


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["correlation_id"] == response.headers["x-request-id"]
    return body


def error_fields(response: httpx.Response) -> set[str]:
    """Return the field names a 422 problem lists."""
    body = assert_problem(response, 422)
    return {error["field"] for error in body["errors"]}
