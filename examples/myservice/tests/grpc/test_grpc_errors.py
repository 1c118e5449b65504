"""Unit tests of the error mapping and the proto <-> DTO helpers."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NoReturn

import grpc
import pydantic
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from app.core.errors import (
    AppError,
    ConflictError,
    ErrorCode,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
    StillReferencedError,
    UnauthorizedError,
    ValidationFailedError,
)
from app.dto.auth_dto import RegisterRequest
from app.grpc.convert import message_to_dict, to_dto, to_timestamp
from app.grpc.errors import (
    ERROR_DETAILS_KEY,
    STATUS_CODES,
    abort,
    error_details,
    status_code_for,
    status_for,
    to_app_error,
)
from app.grpc.generated.myservice.v1 import auth_pb2
from app.grpc.interceptors import current_user_id
from tests.fakes.user_samples import REGISTER_EXTRA, REGISTER_EXTRA_PROTO, REQUIRED_FIELDS


class AbortedError(Exception):
    pass


class RecordingContext:
    """The part of ``grpc.ServicerContext`` that ``abort`` uses."""

    def __init__(self) -> None:
        self.trailing_metadata: Any = None
        self.status: tuple[grpc.StatusCode, str] | None = None

    def set_trailing_metadata(self, metadata: Any) -> None:
        self.trailing_metadata = metadata

    def abort(self, code: grpc.StatusCode, details: str) -> NoReturn:
        self.status = (code, details)
        raise AbortedError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFoundError("missing"), grpc.StatusCode.NOT_FOUND),
        (ValidationFailedError("invalid"), grpc.StatusCode.INVALID_ARGUMENT),
        (ConflictError("taken"), grpc.StatusCode.ALREADY_EXISTS),
        (UnauthorizedError("who are you"), grpc.StatusCode.UNAUTHENTICATED),
        (ForbiddenError("not yours"), grpc.StatusCode.PERMISSION_DENIED),
        (AppError(ErrorCode.INTERNAL_ERROR, "broken"), grpc.StatusCode.INTERNAL),
    ],
)
def test_each_error_code_has_its_status(error: AppError, status: grpc.StatusCode) -> None:
    assert status_code_for(error.code) == status
    assert status_for(error) == status


def test_a_delete_of_a_referenced_row_is_a_failed_precondition() -> None:
    error = StillReferencedError("Shelf is still referenced by other rows")
    assert error.code == ErrorCode.CONFLICT
    assert status_for(error) == grpc.StatusCode.FAILED_PRECONDITION


def test_every_error_code_is_mapped() -> None:
    assert set(STATUS_CODES) == set(ErrorCode)


def test_abort_sends_status_message_and_json_body() -> None:
    context = RecordingContext()
    fields = {"email": ["not an email"]}
    error = ValidationFailedError.from_fields(fields)

    with pytest.raises(AbortedError):
        abort(context, error)  # type: ignore[arg-type]

    assert context.status == (grpc.StatusCode.INVALID_ARGUMENT, "Request validation failed")
    ((key, value),) = context.trailing_metadata
    assert key == ERROR_DETAILS_KEY
    assert json.loads(value) == {
        "code": "VALIDATION_FAILED",
        "message": "Request validation failed",
        "details": {"fields": fields},
    }


def test_to_app_error_keeps_app_errors_and_converts_pydantic_errors() -> None:
    conflict = ConflictError("taken")
    assert to_app_error(conflict) is conflict

    with pytest.raises(pydantic.ValidationError) as caught:
        RegisterRequest.model_validate({"email": "ada@example.com", "password": "x"})
    converted = to_app_error(caught.value)
    assert isinstance(converted, ValidationFailedError)
    assert set(converted.details["fields"]) == {"password", "full_name", *REQUIRED_FIELDS}

    assert to_app_error(RuntimeError("boom")) is None


def test_error_details_of_an_error_that_is_not_a_call() -> None:
    assert error_details(grpc.RpcError()) == {}


def test_current_user_id_outside_an_authenticated_call() -> None:
    with pytest.raises(UnauthorizedError):
        current_user_id()


def test_message_to_dict_includes_unset_scalars() -> None:
    assert message_to_dict(auth_pb2.LoginRequest(email="ada@example.com")) == {
        "email": "ada@example.com",
        "password": "",
    }


def test_to_dto_validates_and_reports_fields() -> None:
    request = auth_pb2.RegisterRequest(
        email="Ada@Example.com", password="long-enough", full_name="Ada", **REGISTER_EXTRA_PROTO
    )
    assert to_dto(RegisterRequest, request) == RegisterRequest(
        email="ada@example.com", password="long-enough", full_name="Ada", **REGISTER_EXTRA
    )

    with pytest.raises(ValidationFailedError) as caught:
        to_dto(RegisterRequest, auth_pb2.RegisterRequest(email="ada@example.com"))
    assert set(caught.value.details["fields"]) == {"password", "full_name", *REQUIRED_FIELDS}


@pytest.mark.parametrize(
    "value",
    [
        datetime(2024, 5, 17, 12, 30, 15, 123456),
        datetime(2024, 5, 17, 12, 30, 15, 123456, tzinfo=UTC),
        datetime(2024, 5, 17, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_to_timestamp_treats_naive_datetimes_as_utc(value: datetime) -> None:
    timestamp = to_timestamp(value)
    assert timestamp.ToDatetime(tzinfo=UTC) == datetime(2024, 5, 17, 12, 30, 15, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
        datetime(1960, 5, 1, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2038, 1, 19, 3, 14, 8, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_to_timestamp_gives_what_protobuf_gives(value: datetime) -> None:
    expected = Timestamp()
    expected.FromDatetime(value)
    assert to_timestamp(value) == expected


def test_an_unavailable_dependency_is_grpc_unavailable() -> None:
    assert STATUS_CODES[ErrorCode.UNAVAILABLE] == grpc.StatusCode.UNAVAILABLE
    assert to_app_error(ServiceUnavailableError("down")) is not None


def test_a_timestamp_out_of_range_is_a_validation_error() -> None:
    class Instant(pydantic.BaseModel):
        seconds: int = 0

    with pytest.raises(ValidationFailedError):
        to_dto(Instant, Timestamp(seconds=10**12))
