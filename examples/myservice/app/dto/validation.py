from collections.abc import Mapping
from typing import Any, TypeVar

import pydantic

from app.core.errors import from_pydantic

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


def parse_dto(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Build a DTO from adapter input, turning pydantic errors into ValidationFailedError."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise from_pydantic(exc) from exc


def not_null(value: object) -> object:
    """A field validator for fields that may be omitted but not set to null."""
    if value is None:
        raise ValueError("may not be null")
    return value
