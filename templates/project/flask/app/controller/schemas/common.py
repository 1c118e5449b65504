"""Fields, validators and OpenAPI descriptions that the schemas of every resource share."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.dto.types import DECIMAL_PATTERN

INT32_RANGE = validate.Range(min=-(2**31), max=2**31 - 1)
INT64_RANGE = validate.Range(min=-(2**63), max=2**63 - 1)
DECIMAL_METADATA = {
    "type": "string",
    "format": "decimal",
    "pattern": DECIMAL_PATTERN,
    "example": "19.99",
}
JSON_METADATA = {"description": "Any JSON value"}
UNAUTHORIZED = "Missing or invalid bearer token"


class StrictBoolean(fields.Boolean):
    """`true` or `false` only: Marshmallow's Boolean also takes `"yes"`, `"off"`, `1` and `0`."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean: send true or false.")
        return value


class DecimalString(fields.Decimal):
    """An exact decimal sent as a string: a JSON number has already been rounded when parsed."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Decimal:
        if not isinstance(value, str):
            raise ValidationError('Not a valid decimal: send it as a string, e.g. "19.99".')
        decimal: Decimal = super()._deserialize(value, attr, data, **kwargs)
        return decimal
