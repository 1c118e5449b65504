"""Every error leaves as JSON `{"code", "message", "details"}`; stack traces never do."""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app.core.errors import (
    SCHEMA_FIELD,
    UNAVAILABLE_RETRY_AFTER_SECONDS,
    AppError,
    ErrorCode,
    ValidationFailedError,
    retry_after_seconds,
)

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
# Where FastAPI found the value: the first part of an error's location, not a field name.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, handle_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, handle_http_exception)  # type: ignore[arg-type]


def error_response(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    response = JSONResponse(
        {"code": code, "message": message, "details": dict(details or {})},
        status_code=status,
        headers=dict(headers or {}),
    )
    if status == HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = "Bearer"
    elif status == HTTPStatus.SERVICE_UNAVAILABLE:
        wait = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
        response.headers.setdefault("Retry-After", wait)
    return response


def handle_app_error(_request: Request, exc: AppError) -> JSONResponse:
    wait = retry_after_seconds(exc)
    headers = None if wait is None else {"Retry-After": str(wait)}
    return error_response(STATUS_BY_CODE[exc.code], exc.code, exc.message, exc.details, headers)


def handle_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 body, in ours: `details.fields` maps each field to its messages.

    A body that is not JSON at all is a 422 too (the status every operation with a body
    documents), its message under `_schema` as for any error of the whole payload.
    """
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        if location and location[0] in _LOCATIONS:
            location = location[1:]
        if error.get("type") == "json_invalid":
            location = []
        field = ".".join(location) or SCHEMA_FIELD
        fields.setdefault(field, []).append(str(error.get("msg", "Invalid value")))
    error = ValidationFailedError.from_fields(fields)
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, error.code, error.message, error.details)


def handle_http_exception(_request: Request, exc: HTTPException) -> JSONResponse:
    status = exc.status_code
    code = error_code_for(status)
    message = exc.detail if isinstance(exc.detail, str) else _status_phrase(status)
    return error_response(status, code, message, headers=exc.headers)


def error_code_for(status: int) -> str:
    """The `code` of an error that only has an HTTP status: ours, else the status's name."""
    return _CODE_BY_STATUS.get(status) or _status_name(status)


def _status_name(status: int) -> str:
    return _status_phrase(status).upper().replace(" ", "_").replace("-", "_")


def _status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
