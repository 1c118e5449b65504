import datetime as dt

import pydantic
import pytest
from pydantic import BaseModel

from app.dto.types import Email, Float64, Int32, Int64, RowId, TimeOfDay


class Values(BaseModel):
    int32: Int32 = 0
    int64: Int64 = 0
    float64: Float64 = 0.0
    row_id: RowId = 1
    email: Email = "a@example.com"
    time: TimeOfDay = dt.time(0, 0)


@pytest.mark.parametrize(
    "field",
    [
        {"int32": 2**31},
        {"int64": -(2**63) - 1},
        {"float64": float("inf")},
        {"row_id": 0},
        {"email": "not-an-email"},
        {"email": f"{'a' * 310}@example.com"},
        {"time": "09:30:00+02:00"},
        {"time": "25:00"},
    ],
)
def test_out_of_range_values_are_refused(field: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        Values.model_validate(field)


def test_emails_are_lower_case_and_times_accept_minutes() -> None:
    values = Values.model_validate({"email": "Ada@Example.COM", "time": "09:30"})

    assert values.email == "ada@example.com"
    assert values.time == dt.time(9, 30)
