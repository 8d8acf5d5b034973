"""The cheapest HTTP server there is: the load generator's ceiling.

``python -m benchmarks.raw_server`` (on ``PORT``) answers every request without a body
with a canned ``200 {"status":"ok"}`` from a raw ``asyncio.Protocol`` on uvloop:
no parsing beyond finding the end of each request, no framework, no ASGI.
Whatever rate the load generator reaches against it, it can drive at least
that much against the service.
"""

from __future__ import annotations

import asyncio
import os
from typing import cast

import uvloop

from .loadgen import HOST

_BODY = b'{"status":"ok"}'
_RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY
)
_REQUEST_END = b"\r\n\r\n"


class _Canned(asyncio.Protocol):
    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._pending = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement, but do not subclass, asyncio's.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        data = self._pending + data
        requests = data.count(_REQUEST_END)
        if not requests:
            self._pending = data
            return
        self._pending = data[data.rfind(_REQUEST_END) + len(_REQUEST_END) :]
        assert self._transport is not None
        self._transport.write(_RESPONSE * requests)


async def serve(port: int) -> None:
    """Answer on ``HOST:port`` until cancelled."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Canned, HOST, port, backlog=2048)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Serve on the port named by ``PORT``."""
    uvloop.run(serve(int(os.environ["PORT"])))


if __name__ == "__main__":
    main()
