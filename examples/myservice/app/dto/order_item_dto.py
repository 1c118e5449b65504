"""Order item requests and responses, shared by the REST and gRPC adapters."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.dto.types import PLAIN_DECIMAL, DecimalText, Int32, RowId, Text
from app.dto.validation import PartialUpdate, not_null


class OrderItemCreate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: RowId
    quantity: Int32
    unit_price: Annotated[DecimalText, Field(max_digits=10, decimal_places=2)]
    buyer_id: RowId
    note: Text | None = None


class OrderItemUpdate(PartialUpdate):
    """A partial update: only the fields present change; `None` clears an optional field."""

    product_id: RowId | None = None
    quantity: Int32 | None = None
    unit_price: Annotated[DecimalText, Field(max_digits=10, decimal_places=2)] | None = None
    buyer_id: RowId | None = None
    note: Text | None = None

    @field_validator("product_id", "quantity", "unit_price", "buyer_id")
    @classmethod
    def _required_fields_are_not_null(cls, value: object) -> object:
        return not_null(value)


class OrderItemResponse(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    product_id: int
    quantity: int
    unit_price: Annotated[Decimal, PLAIN_DECIMAL]
    buyer_id: int
    note: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderItemPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[OrderItemResponse]
    total: int
    page: int
    size: int
