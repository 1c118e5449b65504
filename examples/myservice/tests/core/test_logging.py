import json
import logging
import sys

import pytest

from app.core.logging import (
    TEXT_FORMAT,
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    configure_logging,
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
