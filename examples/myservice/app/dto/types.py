"""Validated value types shared by every resource's request DTOs."""

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated

import email_validator
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    EmailStr,
    Field,
    JsonValue,
    PlainSerializer,
    Strict,
    WithJsonSchema,
)

NO_MAILBOX_DOMAINS = ("localhost", "invalid")
"""Domains (and their subdomains) an email address may not name: no other host answers for them."""
# email-validator refuses every special-use domain (`x@y.test`, `a@b.local`) although such an
# address is valid email syntax, the `format: email` the API documents. Its documented switch is
# this process-wide list; only the domains that never reach another host stay on it.
email_validator.SPECIAL_USE_DOMAIN_NAMES[:] = NO_MAILBOX_DOMAINS

DECIMAL_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
"""The decimal text requests may carry: digits with an optional sign and point, no exponent."""


def _naive_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("a time of day has no UTC offset; send it as HH:MM[:SS]")
    return value


def _storable_text(value: str) -> str:
    # PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded as UTF-8.
    if "\x00" in value:
        raise ValueError("may not contain the NUL character (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("may not contain unpaired surrogate characters") from None
    return value


def _storable_json(value: JsonValue) -> JsonValue:
    try:
        text = json.dumps(value, allow_nan=False)
    except ValueError:
        raise ValueError("NaN and Infinity are not JSON numbers") from None
    except RecursionError:
        raise ValueError("is nested too deeply") from None
    if "\\u0000" in text:
        raise ValueError("may not contain the NUL character (U+0000)")
    _storable_text(text)
    return value


def _decimal_text(value: object) -> object:
    # A JSON number was already rounded to binary floating point by the JSON parser, so the
    # exact digits must travel as text; Decimal values built in code pass through.
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise ValueError('send the number as a string of digits, e.g. "19.99"')
    if value.strip() != value or not value:
        raise ValueError('send the number as a string of digits, e.g. "19.99"')
    return value


def _within_utc_range(value: dt.datetime) -> dt.datetime:
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None
    return value


Text = Annotated[str, AfterValidator(_storable_text)]
"""Text a database column can hold: no NUL, no unpaired surrogates."""
JsonDocument = Annotated[JsonValue, AfterValidator(_storable_json)]
"""A JSON value a JSON column can hold: finite numbers, no NUL, bounded nesting."""
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_within_utc_range)]
"""An aware datetime that can be converted to UTC (not at the very edges of years 1 and 9999)."""
DecimalText = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}),
]
"""An exact decimal sent as text (`"19.99"`): a JSON number would arrive already rounded."""
PLAIN_DECIMAL = PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json")
"""Decimals in answers as plain digits with their scale (`"0.000000000000000000"`), never in the
scientific notation `str(Decimal)` picks for small values (`"0E-18"`)."""
Boolean = Annotated[bool, Strict()]
"""`true` or `false` only: no `"yes"`, `"off"`, `1` or `0`."""
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
Float64 = Annotated[float, Field(allow_inf_nan=False)]
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
"""The id of a row another resource references."""
Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(str.lower)]
"""An email address, normalised to lower case so that lookups ignore case."""
TimeOfDay = Annotated[dt.time, AfterValidator(_naive_time)]
"""A time of day without a UTC offset (`TIME` column)."""
