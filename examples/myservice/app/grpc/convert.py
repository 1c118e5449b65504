"""Generic proto <-> DTO helpers shared by every servicer.

Each servicer module keeps its own ``*_to_proto`` functions (one per response DTO) next to the
servicer class; the building blocks they need live here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel

from app.core.errors import SCHEMA_FIELD, ValidationFailedError
from app.core.json_input import parse_json_body
from app.dto.validation import parse_dto

ModelT = TypeVar("ModelT", bound=BaseModel)


def message_to_dict(message: Message) -> dict[str, Any]:
    """Field name -> value; fields with presence (``optional``, messages) only when set."""
    return json_format.MessageToDict(
        message,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )


def to_dto(model: type[ModelT], message: Message) -> ModelT:
    """Validate a request message as a DTO (``ValidationFailedError`` with per-field messages)."""
    try:
        values = message_to_dict(message)
    except (ValueError, json_format.Error) as exc:
        # A Timestamp outside years 1..9999, for example.
        raise ValidationFailedError.from_fields({SCHEMA_FIELD: [str(exc)]}) from None
    return parse_dto(model, values)


def parse_with_json_text(
    model: type[ModelT], data: dict[str, Any], json_fields: Iterable[str]
) -> ModelT:
    """Validate request fields as a DTO, the ``json_fields`` among them carrying JSON as text.

    Every invalid field is reported in one ``ValidationFailedError``, as REST reports them: the
    JSON text that does not parse (read as strictly as a REST body) and whatever the DTO refuses.
    """
    errors: dict[str, list[str]] = {}
    values = dict(data)
    for name in json_fields:
        if isinstance(values.get(name), str):  # None: the field is being cleared
            try:
                values[name] = parse_json_body(values[name])
            except ValueError as exc:
                errors[name] = [f"Not valid JSON text: {exc}."]
                del values[name]
    try:
        dto = parse_dto(model, values)
    except ValidationFailedError as exc:
        if not errors:
            raise
        # A JSON field left out above is "missing" to the DTO: its own message says why.
        raise ValidationFailedError.from_fields({**exc.details["fields"], **errors}) from None
    if errors:
        raise ValidationFailedError.from_fields(errors)
    return dto


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_timestamp(value: datetime) -> Timestamp:
    """A ``Timestamp`` for ``value``; naive datetimes (as SQLite returns them) are UTC.

    The same value ``Timestamp.FromDatetime`` gives, built from its fields in one step: a
    response carries two per row, and this costs half as much (measured with ``benches/``).
    """
    since = (value if value.tzinfo else value.replace(tzinfo=UTC)) - _EPOCH
    return Timestamp(seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000)


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text (`"19.90"`, never `"1.99E+1"`), keeping its scale."""
    return format(value, "f")
