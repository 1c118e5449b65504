"""The product entity (table `products`)."""

import enum
from decimal import Decimal

from sqlalchemy import Enum, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.model.base import Base, TimestampMixin


def _enum_values(members: type[enum.Enum]) -> list[str]:
    """Store the values of an enum (`"draft"`), not the names of its members."""
    return [member.value for member in members]


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class Product(TimestampMixin, Base):
    __tablename__ = "products"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    stock: Mapped[int] = mapped_column(Integer)
    status: Mapped[ProductStatus] = mapped_column(
        Enum(
            ProductStatus,
            name="product_status",
            native_enum=False,
            create_constraint=True,
            values_callable=_enum_values,
        ),
        index=True,
    )

    def __repr__(self) -> str:
        return f"Product(id={self.id!r})"
