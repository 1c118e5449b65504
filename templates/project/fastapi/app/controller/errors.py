"""The error body of every REST error, as the OpenAPI document describes it."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field


class Error(BaseModel):
    code: str = Field(examples=["NOT_FOUND"])
    message: str
    details: dict[str, Any] = Field(
        description='Validation errors carry `{"fields": {"<field>": [...]}}`'
    )


def responses(*statuses: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route: each status answered with an `Error` body."""
    return {
        status: {"model": Error, "description": description} for status, description in statuses
    }


UNAUTHORIZED = (401, "Missing or invalid bearer token")
VALIDATION = (422, "Request validation failed")

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_ERROR_CONTENT = {"application/json": {"schema": _ERROR_REF}}


def error_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """`app.openapi` documenting the error body the app sends, not FastAPI's default one.

    Every 422 is an `Error` (FastAPI's `HTTPValidationError` is mapped away, see
    app/middleware/error_handlers.py), and every operation has a `default` `Error` response.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                routes=app.routes,
            )
            for operations in spec.get("paths", {}).values():
                for operation in operations.values():
                    answers = operation.setdefault("responses", {})
                    if "422" in answers:
                        answers["422"] = {"description": VALIDATION[1], "content": _ERROR_CONTENT}
                    answers["default"] = {"description": "Error", "content": _ERROR_CONTENT}
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            schemas["Error"] = Error.model_json_schema()
            app.openapi_schema = spec
        return app.openapi_schema

    return openapi
