"""uvicorn's HTTP/1.1 protocol, refusing bad requests as the service does.

Two answers come from uvicorn itself, before any middleware runs: a request
it cannot parse gets a plain-text 400, and httptools buffers a request head
of any size (ten megabytes of one header, or a hundred thousand headers all
reach the app). Here a request line and headers over
``MAX_REQUEST_HEADER_BYTES`` get 431 as soon as that much has arrived (414
when the request line alone is over it), and every refusal is a problem with
an ``X-Request-ID``, a ``request_refused`` line and an access line, like
every other error.
"""

from __future__ import annotations

import logging
import time
from contextlib import suppress
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..core.logging import (
    MAX_LOGGED_PATH,
    get_logger,
    log_request,
    milliseconds_since,
)
from ..core.security import (
    SecurityContext,
    new_request_id,
    reset_context,
    set_context,
)
from .problems import PROBLEM_JSON, Problem, problem

_errors = get_logger("errors")

_UVICORN_400 = "Invalid HTTP request received."
"""What uvicorn logs, without a correlation id, before :meth:`send_400_response`."""

_HEAD_END = b"\r\n\r\n"
_LINGER_SECONDS = 2.0
"""How long a refused connection still reads (and drops) what the client
sends: closing on unread data would reset the connection, and the client
could lose the answer."""

# uvicorn's own methods, looked up once: they run for every request, and
# super() would cost more than what this protocol adds to each.
_parse = HttpToolsProtocol.data_received
_start_request = HttpToolsProtocol.on_headers_complete
_end_request = HttpToolsProtocol.on_message_complete


class ServiceHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol: a cap on the request head, problem answers."""

    max_header_bytes: ClassVar[int]
    """Most bytes of a request line and headers, set by :func:`protocol_class`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # the next bytes begin or continue a request head
        self._head_bytes = 0
        self._carried = b""  # a head's last bytes, where its end may begin
        self._line_bytes: int | None = None  # the request line's, once it ended
        self._refused = False
        # A head counted here: its first bytes and when they came, to log it.
        self._head_start = b""
        self._head_started = 0.0

    def data_received(self, data: bytes) -> None:
        """Parse ``data`` unless it takes a request head past the cap."""
        if (
            self._in_head
            # Anything but the usual chunk: a whole head, well within the cap.
            and (
                self._refused
                or self._head_bytes
                or data.find(_HEAD_END, 0, self.max_header_bytes) < 0
            )
            and not self._head_fits(data)
        ):
            return
        _parse(self, data)

    def _head_fits(self, data: bytes) -> bool:
        """Count the head's bytes in ``data``; past the cap, refuse the request."""
        if self._refused:
            return False
        carried = self._carried
        if not self._head_bytes:
            self._head_start, self._head_started = b"", time.perf_counter()
        self._head_start += data[: _HEAD_START_BYTES - len(self._head_start)]
        window = carried + data if carried else data
        before = self._head_bytes - len(carried)  # the head's bytes ahead of window
        if self._line_bytes is None and (line_end := window.find(b"\r\n")) >= 0:
            self._line_bytes = before + line_end
        end = window.find(_HEAD_END)
        if end < 0:
            self._head_bytes += len(data)
            self._carried = window[-len(_HEAD_END) + 1 :]
        else:
            self._head_bytes = before + end + len(_HEAD_END)
            self._carried = b""
        cap = self.max_header_bytes
        if self._head_bytes <= cap:
            return True
        if self._line_bytes is None or self._line_bytes > cap:
            self._refuse(414, f"The request line is longer than {cap} bytes.")
        else:
            self._refuse(
                431, f"The request line and headers are larger than {cap} bytes."
            )
        return False

    def on_headers_complete(self) -> None:
        """Start the request: its head is whole, and within the cap."""
        self._in_head = False
        self._head_bytes = 0
        self._line_bytes = None
        self._head_start = b""
        _start_request(self)

    def on_message_complete(self) -> None:
        """End the request: the next bytes begin a new head."""
        self._in_head = True
        _end_request(self)

    def send_400_response(self, msg: str) -> None:
        """Answer a request httptools cannot parse (uvicorn logged ``msg``)."""
        self._refuse(400, "The request is not valid HTTP/1.1.")

    def _refuse(self, status: int, detail: str) -> None:
        """Answer ``status`` as a problem, log it, and end the connection.

        The answer goes out at once; what the client still sends is read and
        dropped for a moment before the connection closes. Behind a response
        still going out (a pipelined request), the refused request gets no
        answer: the connection ends after that response.
        """
        self._refused = True
        self._in_head = True
        client_ip = self.client[0] if self.client else ""
        request_id = new_request_id()
        token = set_context(SecurityContext(client_ip, "", request_id))
        try:
            body = Problem(status, problem(status, detail)).render()
            _errors.warning("request_refused", status=status, detail=detail)
            log_request(*self._method_and_path(), status, self._elapsed(), client_ip)
        finally:
            reset_context(token)
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False
            return
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
        head += [
            name + b": " + value for name, value in self.server_state.default_headers
        ]
        head += [
            b"content-type: " + PROBLEM_JSON.encode(),
            b"content-length: " + str(len(body)).encode(),
            b"x-request-id: " + request_id.encode(),
            b"connection: close",
        ]
        self.transport.write(b"\r\n".join(head) + _HEAD_END + body)
        with suppress(NotImplementedError):  # TLS cannot half-close
            self.transport.write_eof()
        self.loop.call_later(_LINGER_SECONDS, self.transport.close)

    def _method_and_path(self) -> tuple[str, str]:
        """Return the refused request's method and path, as far as they came.

        From the head's first bytes where this protocol counted them (414,
        431), else from what httptools parsed before it failed (400): none
        when the request line itself was not HTTP.
        """
        if self._head_start:
            line = self._head_start.partition(b"\r\n")[0]
            method, _, rest = line.partition(b" ")
            target = rest.partition(b" ")[0]
        elif self.url:
            method, target = self.parser.get_method(), self.url
        else:
            return "", ""
        path = target.partition(b"?")[0]
        return method.decode("latin-1"), path.decode("latin-1")

    def _elapsed(self) -> float:
        """Milliseconds since the refused head began, where it was counted here."""
        if not self._head_start:
            return 0.0
        return milliseconds_since(self._head_started)


_HEAD_START_BYTES = MAX_LOGGED_PATH + 32
"""How much of a head counted here is kept: enough for the method and the
path as far as the access line logs it."""


def protocol_class(max_bytes: int) -> type[ServiceHttpProtocol]:
    """Return the protocol uvicorn should serve with: heads of ``max_bytes`` at most."""

    class CappedHttpProtocol(ServiceHttpProtocol):
        max_header_bytes = max_bytes

    # request_refused tells of a bad request instead of uvicorn's own line.
    uvicorn_errors = logging.getLogger("uvicorn.error")
    if _not_uvicorns_400 not in uvicorn_errors.filters:
        uvicorn_errors.addFilter(_not_uvicorns_400)
    return CappedHttpProtocol


def _not_uvicorns_400(record: logging.LogRecord) -> bool:
    return record.msg != _UVICORN_400
