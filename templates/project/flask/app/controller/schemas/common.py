"""Validators and OpenAPI descriptions that the schemas of every resource share."""

from marshmallow import validate

INT32_RANGE = validate.Range(min=-(2**31), max=2**31 - 1)
INT64_RANGE = validate.Range(min=-(2**63), max=2**63 - 1)
DECIMAL_METADATA = {"type": "string", "format": "decimal", "example": "19.99"}
JSON_METADATA = {"description": "Any JSON value"}
UNAUTHORIZED = "Missing or invalid bearer token"
