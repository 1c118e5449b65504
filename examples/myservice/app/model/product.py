"""The product entity (table `products`)."""

from decimal import Decimal

from sqlalchemy import Enum, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.domain import enum_values
from app.domain.product import ProductStatus
from app.model.base import Base, ExactDecimal, TimestampMixin


class Product(TimestampMixin, Base):
    __tablename__ = "products"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal] = mapped_column(ExactDecimal(10, 2))
    stock: Mapped[int] = mapped_column(Integer)
    status: Mapped[ProductStatus] = mapped_column(
        Enum(
            ProductStatus,
            name="product_status",
            native_enum=False,
            create_constraint=True,
            values_callable=enum_values,
        ),
        index=True,
    )

    def __repr__(self) -> str:
        return f"Product(id={self.id!r})"
