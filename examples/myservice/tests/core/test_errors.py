import pytest
from pydantic import BaseModel, Field, ValidationError

from app.core.errors import (
    AppError,
    ConflictError,
    ErrorCode,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
    ValidationFailedError,
    from_pydantic,
)


class Address(BaseModel):
    city: str = Field(min_length=2)


class Person(BaseModel):
    name: str
    age: int
    address: Address


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NotFoundError("missing"), ErrorCode.NOT_FOUND),
        (ValidationFailedError("invalid"), ErrorCode.VALIDATION_FAILED),
        (ConflictError("taken"), ErrorCode.CONFLICT),
        (UnauthorizedError("who?"), ErrorCode.UNAUTHORIZED),
        (ForbiddenError("no"), ErrorCode.FORBIDDEN),
    ],
)
def test_subclasses_carry_their_code(error: AppError, code: ErrorCode) -> None:
    assert error.code is code
    assert error.details == {}
    assert str(error) == error.message


def test_app_error_keeps_details_and_has_a_readable_repr() -> None:
    error = AppError(ErrorCode.INTERNAL_ERROR, "boom", {"id": 7})
    assert error.details == {"id": 7}
    assert repr(error) == "AppError(code='INTERNAL_ERROR', message='boom')"


def test_from_pydantic_reports_every_field_by_path() -> None:
    with pytest.raises(ValidationError) as caught:
        Person.model_validate({"age": "old", "address": {"city": "X"}})
    error = from_pydantic(caught.value)
    assert error.code is ErrorCode.VALIDATION_FAILED
    fields = error.details["fields"]
    assert set(fields) == {"name", "age", "address.city"}
    assert all(isinstance(message, str) for messages in fields.values() for message in messages)


def test_from_pydantic_uses_schema_key_for_whole_payload_errors() -> None:
    with pytest.raises(ValidationError) as caught:
        Person.model_validate("not an object")
    assert list(from_pydantic(caught.value).details["fields"]) == ["_schema"]
