import datetime as dt

import pydantic
import pytest
from pydantic import BaseModel

from app.dto.types import (
    Email,
    Float64,
    Int32,
    Int64,
    JsonDocument,
    RowId,
    Text,
    TimeOfDay,
    UtcDatetime,
)


class Values(BaseModel):
    int32: Int32 = 0
    int64: Int64 = 0
    float64: Float64 = 0.0
    row_id: RowId = 1
    email: Email = "a@example.com"
    time: TimeOfDay = dt.time(0, 0)
    text: Text = ""
    document: JsonDocument = None
    instant: UtcDatetime = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "field",
    [
        {"int32": 2**31},
        {"int64": -(2**63) - 1},
        {"float64": float("inf")},
        {"row_id": 0},
        {"email": "not-an-email"},
        {"email": f"{'a' * 310}@example.com"},
        {"email": "a@b"},
        {"email": "a@@b.com"},
        {"email": "a@localhost"},
        {"email": "a@mail.localhost"},
        {"email": "a@b.invalid"},
        {"time": "09:30:00+02:00"},
        {"time": "25:00"},
        {"row_id": 2**63},
        {"text": "a\x00b"},
        {"text": "\ud800"},
        {"document": {"a": float("nan")}},
        {"document": {"a": float("inf")}},
        {"document": ["a\x00b"]},
        {"instant": "9999-12-31T23:59:59-01:00"},
        {"instant": "0001-01-01T00:00:00+01:00"},
    ],
)
def test_out_of_range_values_are_refused(field: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        Values.model_validate(field)


@pytest.mark.parametrize("email", ["x@y.test", "a@b.local", "c@d.example", "e@f.onion"])
def test_emails_at_special_use_domains_are_valid(email: str) -> None:
    assert Values.model_validate({"email": email.upper()}).email == email


def test_emails_are_lower_case_and_times_accept_minutes() -> None:
    values = Values.model_validate({"email": "Ada@Example.COM", "time": "09:30"})

    assert values.email == "ada@example.com"
    assert values.time == dt.time(9, 30)


def test_json_documents_nested_beyond_the_recursion_limit_are_refused() -> None:
    nested: object = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(pydantic.ValidationError):
        Values.model_validate({"document": nested})


def test_text_json_and_instants_that_fit_are_kept() -> None:
    values = Values.model_validate(
        {"text": "caf\u00e9", "document": {"a": [1, 2.5]}, "instant": "2024-05-01T10:00:00+02:00"}
    )
    assert values.text == "caf\u00e9"
    assert values.document == {"a": [1, 2.5]}
    assert values.instant.astimezone(dt.UTC).hour == 8
