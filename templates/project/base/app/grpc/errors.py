"""The application's error model on the wire: ``AppError`` -> gRPC status + JSON details.

Clients read the status code and message as usual; the full error body
(``{"code", "message", "details"}``, the same JSON the REST API returns) travels as trailing
metadata under ``error-details``. Field-level validation errors are in ``details.fields``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, NoReturn, Protocol, cast

import grpc
import pydantic

from app.core.errors import AppError, ErrorCode, StillReferencedError, from_pydantic
from app.core.logging import request_id_var

ERROR_DETAILS_KEY: Final = "error-details"
REQUEST_ID_KEY: Final = "x-request-id"
"""Metadata key of the request id: read from the call's metadata, echoed in its trailers."""
INTERNAL_ERROR_MESSAGE: Final = "Internal server error"

STATUS_CODES: Final[Mapping[ErrorCode, grpc.StatusCode]] = MappingProxyType(
    {
        ErrorCode.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
        ErrorCode.VALIDATION_FAILED: grpc.StatusCode.INVALID_ARGUMENT,
        ErrorCode.CONFLICT: grpc.StatusCode.ALREADY_EXISTS,
        ErrorCode.UNAUTHORIZED: grpc.StatusCode.UNAUTHENTICATED,
        ErrorCode.FORBIDDEN: grpc.StatusCode.PERMISSION_DENIED,
        ErrorCode.TOO_MANY_REQUESTS: grpc.StatusCode.RESOURCE_EXHAUSTED,
        ErrorCode.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
        ErrorCode.INTERNAL_ERROR: grpc.StatusCode.INTERNAL,
    }
)


def status_code_for(code: ErrorCode) -> grpc.StatusCode:
    return STATUS_CODES.get(code, grpc.StatusCode.INTERNAL)


def status_for(error: AppError) -> grpc.StatusCode:
    """The status of ``error``: its code's, except where gRPC tells cases of one code apart."""
    if isinstance(error, StillReferencedError):
        return grpc.StatusCode.FAILED_PRECONDITION
    return status_code_for(error.code)


def to_app_error(exc: Exception) -> AppError | None:
    """The client-facing form of an expected error; None for an unexpected one."""
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, pydantic.ValidationError):
        return from_pydantic(exc)
    return None


def internal_error() -> AppError:
    """What clients see for an unexpected exception: no type, message or trace of it."""
    return AppError(ErrorCode.INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE)


def error_body(error: AppError) -> dict[str, Any]:
    return {"code": error.code.value, "message": error.message, "details": error.details}


def abort(context: grpc.ServicerContext, error: AppError) -> NoReturn:
    """End the call with the status for ``error``, its body and the request id as trailers."""
    trailers = [(ERROR_DETAILS_KEY, json.dumps(error_body(error), default=str))]
    request_id = request_id_var.get()
    if request_id:
        trailers.append((REQUEST_ID_KEY, request_id))
    context.set_trailing_metadata(tuple(trailers))
    context.abort(status_for(error), error.message)


def error_details(error: grpc.RpcError) -> dict[str, Any]:
    """Client side: the error body sent by ``abort``, or ``{}`` when the call carried none."""
    # The errors that calls raise are also ``grpc.Call``s, which carry the trailing metadata.
    trailing_metadata = getattr(error, "trailing_metadata", None)
    metadata: grpc.Metadata | None = trailing_metadata() if callable(trailing_metadata) else None
    for key, value in metadata or ():
        if key == ERROR_DETAILS_KEY:
            return cast(dict[str, Any], json.loads(value))
    return {}


class _StatusReadable(Protocol):
    def code(self) -> grpc.StatusCode | None: ...


def current_status(context: grpc.ServicerContext) -> grpc.StatusCode | None:
    """The status already chosen for the call (by ``abort`` or ``set_code``), if any."""
    return cast(_StatusReadable, context).code()
