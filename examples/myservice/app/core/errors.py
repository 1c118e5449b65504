"""The application's single error model, mapped to HTTP and gRPC statuses by the adapters."""

from enum import StrEnum
from typing import Any

import pydantic


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    CONFLICT = "CONFLICT"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    UNAVAILABLE = "UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


class AppError(Exception):
    """An expected failure that clients may see: a code, a message and structured details."""

    def __init__(self, code: ErrorCode, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code.value!r}, message={self.message!r})"


class NotFoundError(AppError):
    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(ErrorCode.NOT_FOUND, message, details)


class ValidationFailedError(AppError):
    """Invalid input; `details` is `{"fields": {"<field>": ["message", ...]}}`."""

    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(ErrorCode.VALIDATION_FAILED, message, details)

    @classmethod
    def from_fields(cls, fields: dict[str, list[str]]) -> "ValidationFailedError":
        return cls("Request validation failed", {"fields": fields})


class ConflictError(AppError):
    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(ErrorCode.CONFLICT, message, details)


class StillReferencedError(ConflictError):
    """A delete refused because other rows still point at the row (REST 409; gRPC
    FAILED_PRECONDITION: the client must change those rows first, not pick another value)."""


class UnauthorizedError(AppError):
    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(ErrorCode.UNAUTHORIZED, message, details)


class ForbiddenError(AppError):
    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(ErrorCode.FORBIDDEN, message, details)


class ServiceUnavailableError(AppError):
    """A dependency (the database, the cache) cannot be reached; the client may retry later."""

    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(ErrorCode.UNAVAILABLE, message, details)


SCHEMA_FIELD = "_schema"
"""Field name for errors that concern the whole payload rather than one field."""


def from_pydantic(exc: pydantic.ValidationError) -> ValidationFailedError:
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or SCHEMA_FIELD
        fields.setdefault(field, []).append(error["msg"])
    return ValidationFailedError.from_fields(fields)
