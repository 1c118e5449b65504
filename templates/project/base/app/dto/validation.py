"""How adapter input becomes DTOs, and the validation rules every resource's DTOs share."""

from collections.abc import Mapping
from typing import Any, Self, TypeVar

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


class PartialUpdate(pydantic.BaseModel):
    """The base of every resource's update DTO: only the fields present change, and a request
    must name at least one (an empty PATCH is a client mistake, not a no-op)."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    @pydantic.model_validator(mode="after")
    def _changes_something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields present in the request, with their new values."""
        return {name: getattr(self, name) for name in self.model_fields_set}
