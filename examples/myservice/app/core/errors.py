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
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
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


class TooManyRequestsError(AppError):
    """Too many attempts from one client or on one account; `details` is
    `{"retry_after_seconds": n}`, the wait before the next attempt may succeed."""

    def __init__(self, message: str, retry_after_seconds: int):
        super().__init__(
            ErrorCode.TOO_MANY_REQUESTS, message, {RETRY_AFTER_FIELD: max(1, retry_after_seconds)}
        )


RETRY_AFTER_FIELD = "retry_after_seconds"


def retry_after_seconds(error: AppError) -> int | None:
    """The wait a `TOO_MANY_REQUESTS` error asks for (also when rebuilt from its body)."""
    value = error.details.get(RETRY_AFTER_FIELD)
    if error.code is not ErrorCode.TOO_MANY_REQUESTS or not isinstance(value, int):
        return None
    return max(1, value)


class ServiceUnavailableError(AppError):
    """A dependency (the database, the cache) cannot be reached; the client may retry later."""

    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(ErrorCode.UNAVAILABLE, message, details)


UNAVAILABLE_RETRY_AFTER_SECONDS = 1
"""What an `UNAVAILABLE` answer asks clients to wait: a dependency is usually back soon."""


SCHEMA_FIELD = "_schema"
"""Field name for errors that concern the whole payload rather than one field."""


def from_pydantic(exc: pydantic.ValidationError) -> ValidationFailedError:
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or SCHEMA_FIELD
        fields.setdefault(field, []).append(error["msg"])
    return ValidationFailedError.from_fields(fields)
