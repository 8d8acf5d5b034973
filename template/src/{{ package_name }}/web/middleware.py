"""Pure ASGI middleware: request id, security context, access log, last resort.

One class, no ``BaseHTTPMiddleware``: per-request state lives in ``__call__``,
``send`` is wrapped to add ``X-Request-ID``, and non-HTTP scopes pass through.
It works unchanged under any ASGI framework.
"""

from __future__ import annotations

import time
from typing import Any

import structlog

from ..core.logging import get_logger
from ..core.security import (
    ClientIPResolver,
    SecurityContext,
    accept_request_id,
    reset_context,
    set_context,
)
from .problems import PROBLEM_JSON, internal_error

ASGIApp = Any
Message = dict[str, Any]

_access = get_logger("access")
_errors = get_logger("errors")

_MAX_USER_AGENT = 512


class RequestContextMiddleware:
    """Bind the request's security context and log one access line."""

    def __init__(self, app: ASGIApp, client_ip: ClientIPResolver) -> None:
        self.app = app
        self.client_ip = client_ip

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        """Serve one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        context = self._context(scope)
        request_id = context.correlation_id.encode()
        token = set_context(context)
        bound = structlog.contextvars.bind_contextvars(
            correlation_id=context.correlation_id, client_ip=context.client_ip
        )
        response = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["started"] = True
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _errors.exception("unhandled_error", path=scope["path"])
            if not response["started"]:
                await _send_internal_error(send_with_id)
        finally:
            _access.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=response["status"],
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                client_ip=context.client_ip,
            )
            structlog.contextvars.reset_contextvars(**bound)
            reset_context(token)

    def _context(self, scope: Message) -> SecurityContext:
        request_id = forwarded_for = real_ip = user_agent = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                hop = value.decode("latin-1")
                forwarded_for = f"{forwarded_for},{hop}" if forwarded_for else hop
            elif name == b"x-real-ip":
                real_ip = value.decode("latin-1")
            elif name == b"user-agent":
                user_agent = value.decode("latin-1")[:_MAX_USER_AGENT]
        client = scope.get("client")
        return SecurityContext(
            client_ip=self.client_ip.resolve(
                client[0] if client else None, forwarded_for, real_ip
            ),
            user_agent=user_agent or "",
            correlation_id=accept_request_id(request_id),
        )


async def _send_internal_error(send: Any) -> None:
    problem = internal_error()
    body = problem.render()
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
