"""Pure ASGI middleware: request context, access log, last resort, body cap, HEAD.

No ``BaseHTTPMiddleware``: per-request state lives in the call's locals,
never on the instance, ``send`` is wrapped to add ``X-Request-ID``, and
lifespan scopes pass through. Every class works unchanged under any ASGI
framework.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Iterable
from typing import Any

from ..core.logging import get_logger, log_request, milliseconds_since
from ..core.security import (
    ClientIPResolver,
    SecurityContext,
    accept_request_id,
    reset_context,
    set_context,
)
from .problems import PROBLEM_JSON, Problem, from_status, internal_error, problem

ASGIApp = Any
Message = dict[str, Any]

_errors = get_logger("errors")

_MAX_USER_AGENT = 512

_DENIAL = "websocket.http"
"""ASGI's WebSocket denial response: an HTTP answer to a refused handshake."""
_WEBSOCKET_REFUSED = "The WebSocket connection was refused."


class RequestContextMiddleware:
    """Bind the request's security context and log one access line."""

    def __init__(self, app: ASGIApp, client_ip: ClientIPResolver) -> None:
        self.app = app
        self.client_ip = client_ip

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        """Serve one ASGI connection."""
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await self._websocket(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        context = self._context(scope)
        request_id = context.correlation_id.encode()
        token = set_context(context)
        status = 0  # none sent yet; logged as 500

        # A plain function handing back send's awaitable: no coroutine of its
        # own for each message.
        def send_with_id(message: Message) -> Awaitable[None]:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id),
                ]
            result: Awaitable[None] = send(message)
            return result

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _errors.exception("unhandled_error", path=scope["path"])
            if not status:
                await _send_problem(send_with_id, internal_error())
        except asyncio.CancelledError:
            # The server gave up on the request (SHUTDOWN_TIMEOUT ran out after
            # SIGTERM). The client gets a 503 problem rather than uvicorn's
            # plain 500, and the request's task ends here, its cause logged.
            _errors.warning("request_cancelled", path=scope["path"])
            if not status:
                await _send_problem(send_with_id, from_status(503))
        finally:
            log_request(
                scope["method"],
                scope["path"],
                status or 500,
                milliseconds_since(started),
                context.client_ip,
            )
            reset_context(token)

    async def _websocket(self, scope: Message, receive: Any, send: Any) -> None:
        """Serve a WebSocket as a request: its context, ``X-Request-ID``, access line.

        A handshake the app refuses (no WebSocket route, or closed before
        accepting) gets a 403 problem instead of the server's empty 403, where
        the server supports ASGI's denial response (uvicorn does). The access
        line comes when the connection ends: 101 for one that was accepted.
        """
        started = time.perf_counter()
        context = self._context(scope)
        id_header = (b"x-request-id", context.correlation_id.encode())
        token = set_context(context)
        can_deny = "websocket.http.response" in (scope.get("extensions") or {})
        status = 0  # none sent yet; logged as 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "websocket.close" and not status:
                status = 403
                if can_deny:
                    refused = Problem(403, problem(403, _WEBSOCKET_REFUSED))
                    await _send_problem(send_with_id, refused, _DENIAL)
                    return
            elif kind in {"websocket.accept", "websocket.http.response.start"}:
                status = message.get("status", 101)
                headers = [*message.get("headers", ()), id_header]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _errors.exception("unhandled_error", path=scope["path"])
            if status == 101:
                await send({"type": "websocket.close", "code": 1011})
            elif not status and can_deny:
                await _send_problem(send_with_id, internal_error(), _DENIAL)
        finally:
            elapsed = milliseconds_since(started)
            log_request("GET", scope["path"], status or 500, elapsed, context.client_ip)
            reset_context(token)

    def _context(self, scope: Message) -> SecurityContext:
        request_id = forwarded = user_agent = None
        forwarding_header = self.client_ip.header
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
            elif name == forwarding_header:
                hop = value.decode("latin-1")
                forwarded = hop if forwarded is None else f"{forwarded},{hop}"
            elif name == b"user-agent":
                user_agent = value.decode("latin-1")[:_MAX_USER_AGENT]
        client = scope.get("client")
        return SecurityContext(  # client_ip, user_agent, correlation_id
            self.client_ip.resolve(client[0] if client else None, forwarded),
            user_agent or "",
            accept_request_id(request_id),
        )


class BodySizeLimitMiddleware:
    """Answer 413 to a request body over ``max_bytes``, before anyone parses it.

    A declared ``Content-Length`` over the cap is refused without calling the
    app; a body within it passes untouched (the server delivers no more). A
    streamed body is counted as the app reads it: past the cap the 413 goes
    out, the app sees the client disconnect, and its own reply is dropped.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, scope: Message, receive: Any, send: Any) -> Awaitable[None]:
        """Serve one ASGI connection.

        A plain function handing back the app's awaitable: a request whose
        body needs no counting costs no coroutine of its own here.
        """
        declared, streamed = (
            _body_framing(scope) if scope["type"] == "http" else (0, False)
        )
        if declared > self.max_bytes:
            return _send_problem(send, self._too_large())
        if streamed:
            return self._count_body(scope, receive, send)
        passed_on: Awaitable[None] = self.app(scope, receive, send)
        return passed_on

    async def _count_body(self, scope: Message, receive: Any, send: Any) -> None:
        """Pass a streamed body on until it runs past the cap, then refuse it."""
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if not started:
                        await _send_problem(send, self._too_large())
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    def _too_large(self) -> Problem:
        detail = f"The request body is larger than {self.max_bytes} bytes."
        return Problem(413, problem(413, detail))


class HeadAsGetMiddleware:
    """Answer ``HEAD`` as ``GET`` would, without the body (RFC 9110, 9.3.2).

    The app sees a ``GET``: every ``GET`` route answers ``HEAD`` with the same
    status and headers, so an uptime check sending ``HEAD`` finds the service
    up. The access line still names ``HEAD``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Message, receive: Any, send: Any) -> Awaitable[None]:
        """Serve one ASGI connection (a plain function, as the body cap's)."""
        if scope.get("method") == "HEAD":
            scope, send = {**scope, "method": "GET"}, _headers_only(send)
        passed_on: Awaitable[None] = self.app(scope, receive, send)
        return passed_on


def _headers_only(send: Any) -> Any:
    """Wrap ``send`` to drop every body chunk, ``Content-Length`` kept."""

    def send_headers_only(message: Message) -> Awaitable[None]:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        result: Awaitable[None] = send(message)
        return result

    return send_headers_only


def allowed_methods(methods: Iterable[str]) -> str:
    """Return an ``Allow`` value: ``methods`` sorted, ``HEAD`` wherever ``GET`` is.

    ``HeadAsGetMiddleware`` serves ``HEAD`` on every ``GET`` route, though
    neither framework lists it.
    """
    listed = set(methods)
    if "GET" in listed:
        listed.add("HEAD")
    return ", ".join(sorted(listed))


def _body_framing(scope: Message) -> tuple[int, bool]:
    """Return the declared body size, and whether the body may run past it.

    An HTTP/1.1 body is exactly ``Content-Length`` bytes (none without the
    header) unless it is chunked; an HTTP/2 body needs no length at all.
    """
    length: bytes | None = None
    chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = value
        elif name == b"transfer-encoding":
            chunked = True
    if length is None:
        return 0, chunked or not scope.get("http_version", "1.1").startswith("1.")
    if not length.isdigit():
        return 0, True
    return int(length), chunked


async def _send_problem(send: Any, reply: Problem, kind: str = "http") -> None:
    """Send ``reply`` as ``{kind}.response`` messages (``websocket.http``: a denial)."""
    body = reply.render()
    await send(
        {
            "type": f"{kind}.response.start",
            "status": reply.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": f"{kind}.response.body", "body": body})
