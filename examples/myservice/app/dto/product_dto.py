"""Product requests and responses, shared by the REST and gRPC adapters."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.model.product import ProductStatus

Decimal10_2 = Annotated[Decimal, Field(max_digits=10, decimal_places=2)]
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
String80 = Annotated[str, Field(max_length=80)]


def _not_null(value: object) -> object:
    if value is None:
        raise ValueError("may not be null")
    return value


class ProductCreate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: String80
    description: str | None = None
    price: Decimal10_2
    stock: Int32
    status: ProductStatus


class ProductUpdate(BaseModel):
    """A partial update: only the fields present change; `None` clears an optional field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: String80 | None = None
    description: str | None = None
    price: Decimal10_2 | None = None
    stock: Int32 | None = None
    status: ProductStatus | None = None

    @field_validator("name", "price", "stock", "status")
    @classmethod
    def _required_fields_are_not_null(cls, value: object) -> object:
        return _not_null(value)

    def changes(self) -> dict[str, Any]:
        """The fields present in the request, with their new values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class ProductResponse(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    name: str
    description: str | None
    price: Decimal
    stock: int
    status: ProductStatus
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[ProductResponse]
    total: int
    page: int
    size: int
