"""Structured logging: JSON lines in production, readable text elsewhere, both with request ids."""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from app.config.settings import Settings

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_ENCODER = json.JSONEncoder(default=str)


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request being served, or `-` outside one; a record
    logged with `extra={"request_id": ...}` (after its request ended) keeps its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "request_id" not in record.__dict__:
            record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; `extra={...}` fields become top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        payload = _line_start(
            datetime.fromtimestamp(record.created, UTC),
            record.levelname,
            record.name,
            record.getMessage(),
        )
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES:
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(payload)


def _line_start(moment: datetime, level: str, name: str, message: str) -> dict[str, Any]:
    """The fields every JSON line starts with, in their order; the record's extras follow."""
    return {"timestamp": moment.isoformat(), "level": level, "logger": name, "message": message}


class TextFormatter(logging.Formatter):
    """Readable lines, one per record: CR and LF inside a message (a path with `%0A`, say) are
    escaped, so no request can forge a log line. Tracebacks keep their lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return super().formatMessage(record).replace("\r", "\\r").replace("\n", "\\n")


class _AppHandler(logging.StreamHandler[TextIO]):
    """The handler installed by `configure_logging`; replaced, never duplicated, on reconfigure."""

    def write_line(self, line: str) -> None:
        """Write one formatted line as `emit` would."""
        self.acquire()
        try:
            self.stream.write(line + self.terminator)
            self.flush()
        except Exception:
            self.handleError(logging.makeLogRecord({"msg": line}))
        finally:
            self.release()


def build_handler(settings: Settings) -> logging.Handler:
    """The application's stdout handler: JSON or text as configured, stamped with request ids."""
    handler = _AppHandler(sys.stdout)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if settings.log_json else TextFormatter(TEXT_FORMAT))
    return handler


def configure_logging(settings: Settings) -> None:
    # No format here prints where a record was logged from, or its thread or process: skip
    # collecting them for every record (the logging HOWTO's "Optimization").
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for existing in [h for h in root.handlers if isinstance(h, _AppHandler)]:
        root.removeHandler(existing)
    root.addHandler(build_handler(settings))
    root.setLevel(settings.log_level.upper())


def log_fields(logger: logging.Logger, message: str, fields: dict[str, Any]) -> None:
    """`logger.info(message, extra=fields)`, for the lines written on every request.

    When the application's JSON handler is the only place the record would go (no other
    handler or filter on the way, as in production), the line is encoded and written without
    building a `LogRecord` and walking the logging machinery: the same line for about half the
    cost. Anything else (text logs, a handler a test or the user added) gets the record.
    """
    handler = _sole_json_handler(logger)
    if handler is None:
        logger.info(message, extra=fields)
        return
    payload = _line_start(datetime.now(UTC), "INFO", logger.name, message)
    payload.update(fields)
    handler.write_line(_ENCODER.encode(payload))


def _sole_json_handler(logger: logging.Logger) -> _AppHandler | None:
    found: _AppHandler | None = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        for handler in current.handlers:
            if found is not None or not isinstance(handler, _AppHandler):
                return None
            found = handler
        current = current.parent if current.propagate else None
    if (
        found is None
        or found.level > logging.INFO
        or type(found.formatter) is not JsonFormatter
        or [type(f) for f in found.filters] != [RequestIdFilter]
    ):
        return None
    return found
