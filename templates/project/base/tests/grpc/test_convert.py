"""The proto <-> DTO helpers every servicer shares."""

import pydantic
import pytest

from app.core.errors import ValidationFailedError
from app.dto.types import JsonDocument
from app.grpc.convert import parse_with_json_text


class _Document(pydantic.BaseModel):
    meta: JsonDocument
    extra: JsonDocument = None
    count: int


def _fields_of(data: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailedError) as error:
        parse_with_json_text(_Document, data, ("meta", "extra"))
    fields: dict[str, list[str]] = error.value.details["fields"]
    return fields


def test_json_text_is_parsed_strictly() -> None:
    document = parse_with_json_text(_Document, {"meta": '{"a": [1]}', "count": 2}, ("meta",))
    assert document == _Document(meta={"a": [1]}, count=2)
    cleared = parse_with_json_text(_Document, {"meta": "1", "extra": None, "count": 2}, ("extra",))
    assert cleared.extra is None
    assert _fields_of({"meta": '{"a": NaN}', "count": 1}) == {
        "meta": ["Not valid JSON text: NaN is not a JSON number."]
    }


def test_every_invalid_field_is_reported_at_once() -> None:
    fields = _fields_of({"meta": "{not json", "extra": "[1,", "count": "many"})

    assert set(fields) == {"meta", "extra", "count"}
    assert fields["meta"][0].startswith("Not valid JSON text: ")
    assert fields["extra"][0].startswith("Not valid JSON text: ")
    assert fields["count"][0].startswith("Input should be a valid integer")


def test_other_invalid_fields_alone_are_reported_as_the_dto_words_them() -> None:
    assert set(_fields_of({"meta": "{}", "count": "many"})) == {"count"}
    assert set(_fields_of({"extra": "[1,", "count": 1})) == {"meta", "extra"}
