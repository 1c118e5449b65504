"""DTO <-> message conversion for the service clients, the reverse of the servicers' converters.

Requests: the fields a DTO was given (``model_dump(exclude_unset=True)``, JSON mode) fill the
request message; responses: the message's fields validate as the response DTO, with the fields a
message leaves unset (``optional`` ones) read as None. JSON-valued fields travel as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message
from pydantic import BaseModel

from app.grpc.convert import message_to_dict

MessageT = TypeVar("MessageT", bound=Message)
ModelT = TypeVar("ModelT", bound=BaseModel)


def dto_values(dto: BaseModel) -> dict[str, Any]:
    """The fields set in ``dto``, as JSON-compatible values (decimals as text, dates ISO 8601)."""
    return dto.model_dump(mode="json", exclude_unset=True)


def to_message(
    message_class: type[MessageT],
    values: Mapping[str, Any],
    json_fields: Collection[str] = (),
) -> MessageT:
    """A ``message_class`` request from field values; None leaves a field unset."""
    data = {
        name: json.dumps(value) if name in json_fields else value
        for name, value in values.items()
        if value is not None or name in json_fields
    }
    return json_format.ParseDict(data, message_class())


def to_update_message(
    message_class: type[MessageT],
    entity_id: int,
    values: Mapping[str, Any],
    json_fields: Collection[str] = (),
) -> MessageT:
    """A partial-update request: set fields as given, fields set to None named in ``clear``."""
    cleared = [name for name, value in values.items() if value is None and name not in json_fields]
    return to_message(message_class, {**values, "id": entity_id, "clear": cleared}, json_fields)


def from_message(
    model: type[ModelT], message: Message, json_fields: Collection[str] = ()
) -> ModelT:
    """The ``model`` DTO a response message stands for."""
    return model.model_validate(_values(model, message_to_dict(message), json_fields))


def page_from_message(
    page_model: type[ModelT],
    item_model: type[BaseModel],
    message: Message,
    json_fields: Collection[str] = (),
) -> ModelT:
    """A page DTO (``items`` of ``item_model``, ``total``, ``page``, ``size``) from a list reply."""
    data = message_to_dict(message)
    data["items"] = [_values(item_model, item, json_fields) for item in data.get("items", [])]
    return page_model.model_validate(data)


def _values(
    model: type[BaseModel], data: Mapping[str, Any], json_fields: Collection[str]
) -> dict[str, Any]:
    values = {name: data.get(name) for name in model.model_fields}
    for name in json_fields:
        text = values.get(name)
        if isinstance(text, str):
            values[name] = json.loads(text)
    return values
