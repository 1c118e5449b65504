"""The error body of every REST error, for the OpenAPI document."""

from typing import Any

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
