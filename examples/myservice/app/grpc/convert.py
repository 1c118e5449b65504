"""Generic proto <-> DTO helpers shared by every servicer.

Each servicer module keeps its own ``*_to_proto`` functions (one per response DTO) next to the
servicer class; the building blocks they need live here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel

from app.core.errors import SCHEMA_FIELD, ValidationFailedError
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


def to_timestamp(value: datetime) -> Timestamp:
    """A ``Timestamp`` for ``value``; naive datetimes (as SQLite returns them) are UTC."""
    timestamp = Timestamp()
    timestamp.FromDatetime(value if value.tzinfo else value.replace(tzinfo=UTC))
    return timestamp


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text (`"19.90"`, never `"1.99E+1"`), keeping its scale."""
    return format(value, "f")
