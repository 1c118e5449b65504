"""Every error leaves as JSON `{"code", "message", "details"}`; stack traces never do."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from gunicorn.http.errors import ParseException
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from app.core.errors import (
    SCHEMA_FIELD,
    UNAVAILABLE_RETRY_AFTER_SECONDS,
    AppError,
    ErrorCode,
    ValidationFailedError,
    retry_after_seconds,
)

logger = logging.getLogger(__name__)

STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.VALIDATION_FAILED: HTTPStatus.UNPROCESSABLE_ENTITY,
    ErrorCode.CONFLICT: HTTPStatus.CONFLICT,
    ErrorCode.UNAUTHORIZED: HTTPStatus.UNAUTHORIZED,
    ErrorCode.FORBIDDEN: HTTPStatus.FORBIDDEN,
    ErrorCode.TOO_MANY_REQUESTS: HTTPStatus.TOO_MANY_REQUESTS,
    ErrorCode.UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    ErrorCode.INTERNAL_ERROR: HTTPStatus.INTERNAL_SERVER_ERROR,
}
_CODE_BY_STATUS = {status: code for code, status in STATUS_BY_CODE.items()}
_CODE_BY_STATUS[HTTPStatus.BAD_REQUEST] = ErrorCode.VALIDATION_FAILED
# Describe the HTML body werkzeug would have sent, not the JSON one that replaces it.
_BODY_HEADERS = frozenset({"content-type", "content-length"})


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    # gunicorn decodes a chunked body while the app reads it: a malformed one raises there.
    app.register_error_handler(ParseException, handle_unreadable_body)
    app.register_error_handler(Exception, handle_unexpected_error)


def error_response(
    status: int, code: str, message: str, details: Mapping[str, Any] | None = None
) -> tuple[Response, int]:
    body = jsonify(code=code, message=message, details=dict(details or {}))
    if status == HTTPStatus.UNAUTHORIZED:
        body.headers["WWW-Authenticate"] = "Bearer"
    elif status == HTTPStatus.SERVICE_UNAVAILABLE:
        body.headers["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return body, status


def handle_app_error(exc: AppError) -> tuple[Response, int]:
    response, status = error_response(STATUS_BY_CODE[exc.code], exc.code, exc.message, exc.details)
    wait = retry_after_seconds(exc)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response, status


def handle_http_exception(exc: HTTPException) -> tuple[Response, int]:
    status = exc.code or HTTPStatus.INTERNAL_SERVER_ERROR
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if isinstance(messages, Mapping):
        # webargs/marshmallow validation errors, keyed by request location then field.
        fields: dict[str, list[str]] = {}
        for location_errors in messages.values():
            fields.update(_flatten_field_errors(location_errors))
        error = ValidationFailedError.from_fields(fields)
        response, status = error_response(status, error.code, error.message, error.details)
    else:
        message = exc.description or exc.name
        response, status = error_response(status, error_code_for(status), message)
    # Headers the error carries (Allow on 405, Retry-After, ...) describe it: keep them.
    extra_headers = Headers(exc.get_response().headers)
    if isinstance(data.get("headers"), Mapping):
        extra_headers.extend(data["headers"])
    for name, value in extra_headers.items():
        if name.lower() not in _BODY_HEADERS:
            response.headers[name] = value
    return response, status


def error_code_for(status: int) -> str:
    """The `code` of an error that only has an HTTP status: ours, else werkzeug's name for it."""
    name = HTTP_STATUS_CODES.get(status, "Unknown Error")
    return _CODE_BY_STATUS.get(status) or name.upper().replace(" ", "_")


def handle_unreadable_body(exc: ParseException) -> tuple[Response, int]:
    message = f"The request body is not valid chunked encoding ({type(exc).__name__})."
    return error_response(HTTPStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, message)


def handle_unexpected_error(exc: Exception) -> tuple[Response, int]:
    logger.exception("Unhandled error", exc_info=exc)
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, ErrorCode.INTERNAL_ERROR, "Internal server error"
    )


def _flatten_field_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    if not isinstance(errors, Mapping):
        messages = errors if isinstance(errors, list) else [errors]
        return {prefix or SCHEMA_FIELD: [str(message) for message in messages]}
    fields: dict[str, list[str]] = {}
    for key, value in errors.items():
        fields.update(_flatten_field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    return fields
