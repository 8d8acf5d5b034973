"""Pure ASGI middleware: request context, access log, last resort, body cap, HEAD.

No ``BaseHTTPMiddleware``: per-request state lives in the call's locals,
never on the instance, ``send`` is wrapped to add ``X-Request-ID``, and
lifespan scopes pass through. It works unchanged under any ASGI framework.
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


class RequestMiddleware:
    """The layer every request passes: its context, body cap, ``HEAD``, access line.

    In one pass over the request's headers it binds the security context
    (client IP, user agent, correlation id, echoed in ``X-Request-ID``) and
    reads how the body is framed. A body over ``max_body_bytes`` gets a 413
    before anyone parses it; a ``HEAD`` reaches the app as a ``GET`` whose
    body is dropped (RFC 9110, 9.3.2), so every ``GET`` route answers it.
    Then one access line. One layer rather than one per concern: on the
    busiest routes each layer and each pass over the headers shows.
    """

    def __init__(
        self, app: ASGIApp, client_ip: ClientIPResolver, max_body_bytes: int
    ) -> None:
        self.app = app
        self.client_ip = client_ip
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        """Serve one ASGI connection."""
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await self._websocket(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        context, declared, streamed = self._read_head(scope)
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
            if declared > self.max_body_bytes:
                await _send_problem(send_with_id, self._too_large())
            else:
                await self._pass_on(scope, receive, send_with_id, streamed)
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

    def _pass_on(
        self, scope: Message, receive: Any, send: Any, streamed: bool
    ) -> Awaitable[None]:
        """Hand the request to the app: ``HEAD`` as ``GET``, a streamed body counted.

        The app sees a ``HEAD`` as a ``GET``, so an uptime check sending
        ``HEAD`` finds the service up; the access line still names ``HEAD``.
        A plain function handing back the app's awaitable: a request whose
        body needs no counting costs no coroutine of its own here.
        """
        if scope["method"] == "HEAD":
            scope, send = {**scope, "method": "GET"}, _headers_only(send)
        if streamed:
            return self._count_body(scope, receive, send)
        passed_on: Awaitable[None] = self.app(scope, receive, send)
        return passed_on

    async def _count_body(self, scope: Message, receive: Any, send: Any) -> None:
        """Pass a streamed body on until it runs past the cap, then refuse it.

        Past the cap the 413 goes out, the app sees the client disconnect, and
        its own reply is dropped.
        """
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
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
        detail = f"The request body is larger than {self.max_body_bytes} bytes."
        return Problem(413, problem(413, detail))

    async def _websocket(self, scope: Message, receive: Any, send: Any) -> None:
        """Serve a WebSocket as a request: its context, ``X-Request-ID``, access line.

        A handshake the app refuses (no WebSocket route, or closed before
        accepting) gets a 403 problem instead of the server's empty 403, where
        the server supports ASGI's denial response (uvicorn does). The access
        line comes when the connection ends: 101 for one that was accepted.
        """
        started = time.perf_counter()
        context = self._read_head(scope)[0]
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

    def _read_head(self, scope: Message) -> tuple[SecurityContext, int, bool]:
        """Read the request's headers once.

        Returns:
            The security context; the declared body size; and whether the
            body may run past it: an HTTP/1.1 body is exactly
            ``Content-Length`` bytes (none without the header) unless it is
            chunked, and an HTTP/2 body needs no length at all.
        """
        request_id = forwarded = user_agent = length = None
        chunked = False
        forwarding_header = self.client_ip.header
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
            elif name == forwarding_header:
                hop = value.decode("latin-1")
                forwarded = hop if forwarded is None else f"{forwarded},{hop}"
            elif name == b"user-agent":
                user_agent = value.decode("latin-1")[:_MAX_USER_AGENT]
            elif name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
        client = scope.get("client")
        context = SecurityContext(  # client_ip, user_agent, correlation_id
            self.client_ip.resolve(client[0] if client else None, forwarded),
            user_agent or "",
            accept_request_id(request_id),
        )
        if length is None:
            version = scope.get("http_version", "1.1")
            return context, 0, chunked or not version.startswith("1.")
        if not length.isdigit():
            return context, 0, True
        return context, int(length), chunked


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

    ``RequestMiddleware`` serves ``HEAD`` on every ``GET`` route, though
    neither framework lists it.
    """
    listed = set(methods)
    if "GET" in listed:
        listed.add("HEAD")
    return ", ".join(sorted(listed))


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
