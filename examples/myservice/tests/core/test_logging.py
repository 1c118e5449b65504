import io
import json
import logging
import sys
from datetime import datetime

import pytest

from app.core.logging import (
    TEXT_FORMAT,
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    configure_logging,
    log_fields,
    request_id_var,
)
from tests.conftest import isolated_settings


def make_record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("app.test", logging.INFO, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return record


def test_json_lines_carry_level_logger_extras_and_request_id() -> None:
    token = request_id_var.set("req-123")
    try:
        record = make_record("user %s created", user_id=7)
        record.args = (7,)
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    payload = json.loads(JsonFormatter().format(record))
    assert payload["message"] == "user 7 created"
    assert payload["level"] == "INFO"
    assert payload["logger"] == "app.test"
    assert payload["request_id"] == "req-123"
    assert payload["user_id"] == 7
    assert "timestamp" in payload


def test_json_lines_include_exceptions() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord(
            "app.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    payload = json.loads(JsonFormatter().format(record))
    assert "ValueError: broken" in payload["exception"]


def test_text_lines_escape_line_breaks_in_messages() -> None:
    record = make_record("GET %s 404")
    record.args = ("/x\r\n2026-01-01 INFO app.request forged",)
    RequestIdFilter().filter(record)

    line = TextFormatter(TEXT_FORMAT).format(record)

    assert "\n" not in line
    assert "\r" not in line
    assert line.endswith("GET /x\\r\\n2026-01-01 INFO app.request forged 404")


def test_records_outside_a_request_get_a_placeholder_id() -> None:
    record = make_record("startup")
    RequestIdFilter().filter(record)
    assert vars(record)["request_id"] == "-"


@pytest.mark.usefixtures("restore_root_logger")
@pytest.mark.parametrize(("log_json", "formatter_type"), [(True, JsonFormatter), (False, None)])
def test_configure_logging_installs_exactly_one_handler(
    log_json: bool, formatter_type: type[logging.Formatter] | None
) -> None:
    settings = isolated_settings(jwt_secret="x" * 40, log_json=log_json, log_level="debug")
    configure_logging(settings)
    configure_logging(settings)
    root = logging.getLogger()
    installed = [h for h in root.handlers if type(h).__name__ == "_AppHandler"]
    assert len(installed) == 1
    assert root.level == logging.DEBUG
    if formatter_type is not None:
        assert isinstance(installed[0].formatter, formatter_type)
    else:
        assert not isinstance(installed[0].formatter, JsonFormatter)


def _json_settings() -> object:
    return isolated_settings(jwt_secret="x" * 40, log_json=True, log_level="info")


def _only_the_app_handler(stream: io.StringIO) -> logging.Handler:
    """Configure JSON logging into `stream` and leave the app's handler alone on the root (as in
    production: pytest adds its own capturing handlers)."""
    configure_logging(_json_settings())  # type: ignore[arg-type]
    root = logging.getLogger()
    handler = next(h for h in root.handlers if type(h).__name__ == "_AppHandler")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    root.handlers[:] = [handler]
    return handler


FIELDS = {"method": "GET", "path": "/a%20b", "status": 200, "duration_ms": 1.5, "request_id": "r-1"}


@pytest.mark.usefixtures("restore_root_logger")
def test_log_fields_writes_the_line_the_logging_record_would_give() -> None:
    stream = io.StringIO()
    _only_the_app_handler(stream)
    logger = logging.getLogger("app.test.lines")

    log_fields(logger, "GET /a%20b 200", FIELDS)  # written directly
    logger.info("GET /a%20b 200", extra=FIELDS)  # through a LogRecord

    direct, recorded = (json.loads(line) for line in stream.getvalue().splitlines())
    for line in (direct, recorded):
        assert datetime.fromisoformat(line.pop("timestamp")).tzinfo is not None
    assert list(direct.items()) == list(recorded.items())
    expected = {"level": "INFO", "logger": "app.test.lines", "message": "GET /a%20b 200"}
    assert direct == expected | FIELDS


@pytest.mark.usefixtures("restore_root_logger")
def test_log_fields_gives_other_handlers_and_filters_the_record() -> None:
    stream = io.StringIO()
    _only_the_app_handler(stream)
    logger = logging.getLogger("app.test.observed")
    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logging.getLogger().addHandler(Collect())
    log_fields(logger, "with a second handler", {"request_id": "r-2"})
    logging.getLogger().handlers.pop()
    dropped = logging.Filter("elsewhere")  # drops every record of `app.test.observed`
    logger.addFilter(dropped)
    try:
        log_fields(logger, "filtered out", {"request_id": "r-3"})
    finally:
        logger.removeFilter(dropped)

    assert [record.getMessage() for record in seen] == ["with a second handler"]
    assert vars(seen[0])["request_id"] == "r-2"
    lines = [json.loads(line)["message"] for line in stream.getvalue().splitlines()]
    assert lines == ["with a second handler"]
