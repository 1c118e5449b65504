import pytest
from pydantic import ValidationError

from app.core.errors import ValidationFailedError
from app.dto.auth_dto import RegisterRequest, UserResponse
from app.dto.validation import parse_dto
from tests.fakes.user_samples import ADDED_A, REGISTER_EXTRA, REQUIRED_FIELDS


def test_emails_are_normalised_to_lower_case() -> None:
    request = RegisterRequest(
        email="Ada@Example.COM", password="long-enough", full_name="Ada", **REGISTER_EXTRA
    )
    assert request.email == "ada@example.com"


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "nope"), ("password", "short"), ("full_name", ""), ("full_name", "x" * 101)],
)
def test_register_rules(field: str, value: str) -> None:
    data = {
        "email": "ada@example.com",
        "password": "long-enough",
        "full_name": "Ada",
        **REGISTER_EXTRA,
        field: value,
    }
    with pytest.raises(ValidationError) as caught:
        RegisterRequest.model_validate(data)
    assert caught.value.errors()[0]["loc"] == (field,)


def test_parse_dto_raises_field_level_validation_errors() -> None:
    with pytest.raises(ValidationFailedError) as caught:
        parse_dto(RegisterRequest, {"email": "ada@example.com", "unexpected": 1})
    assert set(caught.value.details["fields"]) == {
        "password",
        "full_name",
        "unexpected",
        *REQUIRED_FIELDS,
    }


def test_parse_dto_returns_the_model() -> None:
    data = {
        "email": "ada@example.com",
        "password": "long-enough",
        "full_name": "Ada",
        **REGISTER_EXTRA,
    }
    assert parse_dto(RegisterRequest, data) == RegisterRequest.model_validate(data)


def test_user_response_round_trips_through_json() -> None:
    user = UserResponse.model_validate(
        {
            "id": 1,
            "email": "ada@example.com",
            "full_name": "Ada",
            "is_active": True,
            "created_at": "2024-05-01T12:00:00+00:00",
            **ADDED_A,
        }
    )
    assert UserResponse.model_validate_json(user.model_dump_json()) == user
