"""Structured logging: one JSON object per line, correlation id on every line.

structlog is configured once. Its own loggers render straight to stdout (the
fast path); stdlib loggers (uvicorn, alembic, SQLAlchemy) go through the same
processors via ``ProcessorFormatter``, so every line has the same shape.

Secrets are kept out three ways: values under secret-sounding keys are
blanked, tracebacks carry no local variables (a frame's ``password``), and
every rendered line is scrubbed of anything shaped like a password hash, a JWT
or bearer credentials, whoever logged it (a driver's DEBUG line, an exception
message).

A request path, the one value of a line a client can make as long as it
likes, is cut to :data:`MAX_LOGGED_PATH` characters.

The access line, written once per request, takes a shorter path of its own
(:func:`log_request`): the same keys, timestamp and scrubbing, rendered
straight to JSON without structlog's processor chain, with the other lines
of its turn of the event loop.
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any, Literal

import orjson
import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, FilteringBoundLogger, Processor, WrappedLogger

from .log_output import LateLine, StdoutHandler, StdoutLogger, emit_later
from .security import current_context

LogFormat = Literal["json", "console"]

MAX_LOGGED_PATH = 2048
"""A logged ``path`` is cut to this many characters: a 60 KB URL must not
make a 60 KB line (Docker, for one, splits lines over 16 KB)."""

_REDACTED = "[redacted]"
_SECRET_KEYS = frozenset(
    {"password", "password_hash", "token", "access_token", "authorization", "secret"}
)
_SENSITIVE_SHAPES = (
    r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}"  # bcrypt hash
    r"|\$argon2(?:id|i|d)\$[A-Za-z0-9+/=,$]+"  # argon2 hash
    r"|\beyJ[\w-]*\.[\w-]*\.[\w-]*"  # JWT
    r"|(?i:\bbearer\s+)[\w.~+/-]+=*"  # Authorization: Bearer <credentials>
)
_SECRET_TEXT = re.compile(_SENSITIVE_SHAPES)
_SECRET_BYTES = re.compile(_SENSITIVE_SHAPES.encode())


def _redact_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Blank out values whose key names a secret, whoever logged them."""
    for key in _SECRET_KEYS.intersection(event_dict):
        event_dict[key] = _REDACTED
    return event_dict


def _cap_path(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Cut a logged ``path`` to :data:`MAX_LOGGED_PATH` characters."""
    path = event_dict.get("path")
    if isinstance(path, str) and len(path) > MAX_LOGGED_PATH:
        event_dict["path"] = path[:MAX_LOGGED_PATH]
    return event_dict


def _name_logger(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Publish the name given to :func:`get_logger` as ``logger``."""
    name = event_dict.pop("logger_name", None)
    if name is not None:
        event_dict["logger"] = name
    return event_dict


def _add_request_context(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Add the correlation id and client IP of the request being served."""
    context = current_context()
    if context is not None:
        event_dict.setdefault("correlation_id", context.correlation_id)
        event_dict.setdefault("client_ip", context.client_ip)
    return event_dict


def _traceback_out_of_event(
    _: WrappedLogger, __: str, event_dict: EventDict
) -> EventDict:
    """Move a traceback logged as a stdlib message to ``exception``.

    uvicorn logs a failed lifespan so: the framework's formatted traceback
    (or exception group) as the message. The line's ``event`` becomes
    ``traceback``.
    """
    event = event_dict.get("event")
    if isinstance(event, str) and _is_traceback(event):
        event_dict["exception"] = event
        event_dict["event"] = "traceback"
    return event_dict


def _is_traceback(text: str) -> bool:
    """Tell whether ``text`` is a formatted traceback (or exception group)."""
    return text.partition("\n")[0].endswith("Traceback (most recent call last):")


class _UTCTimestamp:
    """``timestamp`` in ISO 8601 UTC with microseconds, formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        """Return the current time, e.g. ``2026-01-31T12:00:00.123456Z``."""
        return self.at(time.time_ns())

    def at(self, time_ns: int) -> str:
        """Return ``time_ns`` (nanoseconds since the epoch) in the same form."""
        second, nanoseconds = divmod(time_ns, 1_000_000_000)
        if second != self._second:
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._prefix}.{str(nanoseconds // 1000).zfill(6)}Z"

    def __call__(self, _: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict["timestamp"] = self.now()
        return event_dict


_timestamp = _UTCTimestamp()


def _orjson_dumps(value: Any, **_: Any) -> bytes:
    return orjson.dumps(value, default=repr)


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        _add_request_context,
        structlog.processors.add_log_level,
        _timestamp,
        _name_logger,
        _redact_secrets,
        _cap_path,
    ]


def _renderer(fmt: LogFormat) -> Processor:
    if fmt == "console":
        return _Scrubbed(structlog.dev.ConsoleRenderer())
    return _Scrubbed(structlog.processors.JSONRenderer(serializer=_orjson_dumps))


class _Scrubbed:
    """Wrap a renderer so no hash, JWT or bearer credentials leave in a line."""

    def __init__(self, renderer: Processor) -> None:
        self._renderer = renderer

    def __call__(
        self, logger: WrappedLogger, name: str, event_dict: EventDict
    ) -> str | bytes:
        rendered = self._renderer(logger, name, event_dict)
        if isinstance(rendered, bytes):
            return _one_line(_scrub(rendered))
        return _SECRET_TEXT.sub(_REDACTED, str(rendered))


def _scrub(line: bytes) -> bytes:
    """Blank out anything in ``line`` shaped like a hash, JWT or credentials."""
    # The regex scan costs more than the rest of a line; skip it when no
    # shape can match (the markers of `_may_hold_secret`, as bytes).
    lowered = line.lower()
    if b"$" in lowered or b"eyj" in lowered or b"bearer" in lowered:
        return _SECRET_BYTES.sub(_REDACTED.encode(), line)
    return line


_LINE_SEPARATORS = (
    (b"\xc2\x85", b"\\u0085"),
    (b"\xe2\x80\xa8", b"\\u2028"),
    (b"\xe2\x80\xa9", b"\\u2029"),
)


def _one_line(line: bytes) -> bytes:
    """Escape the characters besides LF that some readers end a line at.

    JSON lets U+0085, U+2028 and U+2029 stand unescaped in a string (orjson
    leaves them so), but Python's ``str.splitlines`` and some log viewers
    break a line there.
    """
    if line.isascii():
        return line
    for character, escaped in _LINE_SEPARATORS:
        line = line.replace(character, escaped)
    return line


def _may_hold_secret(text: str) -> bool:
    """Tell whether ``text`` could hold a match of ``_SENSITIVE_SHAPES``.

    Every match, lower-cased, holds ``$`` (hashes), ``eyj`` (JWT) or
    ``bearer``. Spelled out rather than looped over: this runs on every
    access line.
    """
    lowered = text.lower()
    return "$" in lowered or "eyj" in lowered or "bearer" in lowered


def configure_logging(level: str = "INFO", fmt: LogFormat = "json") -> None:
    """Configure structlog and the stdlib root logger to write to stdout.

    Args:
        level: Minimum level name, e.g. ``INFO``.
        fmt: ``json`` for one object per line, ``console`` for humans.
    """
    global _direct_access_lines
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    _direct_access_lines = fmt == "json" and numeric_level <= logging.INFO
    shared = _shared_processors()
    tracebacks: Processor = (
        # Frame locals would hold request bodies and passwords: never log them.
        structlog.processors.ExceptionRenderer(
            ExceptionDictTransformer(show_locals=False)
        )
        if fmt == "json"
        else structlog.processors.format_exc_info
    )
    structlog.configure(
        processors=[*shared, tracebacks, _renderer(fmt)],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=StdoutLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            *shared,
            structlog.stdlib.add_logger_name,
            _traceback_out_of_event,
            tracebacks,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _StringRenderer(_renderer(fmt)),
        ],
    )
    handler = StdoutHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    uvicorn_errors = logging.getLogger("uvicorn.error")
    _startup_traceback.told = False
    if _startup_traceback not in uvicorn_errors.filters:
        uvicorn_errors.addFilter(_startup_traceback)


_UVICORN_LIFESPAN = os.path.join("uvicorn", "lifespan", "on.py")


class _StartupTraceback(logging.Filter):
    """Drop uvicorn's line of a failed start-up's traceback, once it is told.

    The framework hands uvicorn the whole traceback of a start-up that
    failed, and uvicorn logs it (``uvicorn/lifespan/on.py``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.told = False

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep ``record`` unless it is that traceback of a failure told."""
        return not (
            self.told
            and record.pathname.endswith(_UVICORN_LIFESPAN)
            and _is_traceback(record.getMessage())
        )


_startup_traceback = _StartupTraceback()


def startup_failure_told() -> None:
    """Note that the start-up failure under way has its own log line.

    Called after logging ``startup_failed``: that line names the setting to
    check, and the framework's traceback of the same failure, a few KB of
    library frames, is left out.
    """
    _startup_traceback.told = True


class _StringRenderer:
    """Adapt a renderer that may return bytes to the str ``logging`` expects."""

    def __init__(self, renderer: Processor) -> None:
        self._renderer = renderer

    def __call__(self, logger: WrappedLogger, name: str, event_dict: EventDict) -> str:
        rendered = self._renderer(logger, name, event_dict)
        return rendered.decode() if isinstance(rendered, bytes) else str(rendered)


def get_logger(name: str) -> FilteringBoundLogger:
    """Return a structlog logger whose lines carry ``logger=name``."""
    logger: FilteringBoundLogger = structlog.get_logger(logger_name=name)
    return logger


_direct_access_lines = False
"""Whether access lines skip structlog: JSON output at level INFO or below."""


def milliseconds_since(started: float) -> float:
    """Return the milliseconds since ``started`` (``time.perf_counter()``).

    In hundredths, truncated: cheaper than ``round()``, on every access line.
    """
    return int((time.perf_counter() - started) * 100_000) / 100


def log_request(
    method: str, path: str, status: int, duration_ms: float, client_ip: str
) -> None:
    """Log a request's access line: ``event="request"``, ``logger="access"``.

    With JSON output at level INFO the line skips structlog: its fields,
    timestamp and request id are queued here and rendered when the line is
    written (:func:`.log_output.emit_later`); otherwise it goes through
    structlog.
    """
    if not _direct_access_lines:
        get_logger("access").info(
            "request",
            method=method,
            path=path,
            status=status,
            duration_ms=duration_ms,
            client_ip=client_ip,
        )
        return
    context = current_context()
    emit_later(
        (
            _render_access_line,
            method,
            path,
            status,
            duration_ms,
            client_ip,
            time.time_ns(),
            None if context is None else context.correlation_id,
        )
    )


def _render_access_line(queued: LateLine) -> bytes:
    """Render an access line :func:`log_request` queued, as the processors would."""
    _, method, path, status, duration_ms, client_ip, time_ns, correlation_id = queued
    path = path[:MAX_LOGGED_PATH]
    line: dict[str, Any] = {
        "event": "request",
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
        "client_ip": client_ip,
        "level": "info",
        "timestamp": _timestamp.at(time_ns),
        "logger": "access",
    }
    if correlation_id is not None:
        line["correlation_id"] = correlation_id
    rendered = orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)
    # Of the fields, only the method, path and request id are the client's
    # text: scan the line only if they could hold a secret's shape.
    if _may_hold_secret(method + path + (correlation_id or "")):
        rendered = _SECRET_BYTES.sub(_REDACTED.encode(), rendered)
    if not path.isascii():
        rendered = _one_line(rendered)
    return rendered
