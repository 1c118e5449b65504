"""Product requests and responses, shared by the REST and gRPC adapters."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.domain.product import ProductStatus
from app.dto.types import PLAIN_DECIMAL, DecimalText, Int32, Text
from app.dto.validation import PartialUpdate, not_null


class ProductCreate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[Text, Field(max_length=80)]
    description: Text | None = None
    price: Annotated[DecimalText, Field(max_digits=10, decimal_places=2)]
    stock: Int32
    status: ProductStatus


class ProductUpdate(PartialUpdate):
    """A partial update: only the fields present change; `None` clears an optional field."""

    name: Annotated[Text, Field(max_length=80)] | None = None
    description: Text | None = None
    price: Annotated[DecimalText, Field(max_digits=10, decimal_places=2)] | None = None
    stock: Int32 | None = None
    status: ProductStatus | None = None

    @field_validator("name", "price", "stock", "status")
    @classmethod
    def _required_fields_are_not_null(cls, value: object) -> object:
        return not_null(value)


class ProductResponse(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    name: str
    description: str | None
    price: Annotated[Decimal, PLAIN_DECIMAL]
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
