"""The order item entity (table `order_items`)."""

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.model.base import Base, ExactDecimal, TimestampMixin

if TYPE_CHECKING:
    from app.model.product import Product
    from app.model.user import User


class OrderItem(TimestampMixin, Base):
    __tablename__ = "order_items"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    product: Mapped["Product"] = relationship(foreign_keys=[product_id])
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(10, 2))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    buyer: Mapped["User"] = relationship(foreign_keys=[buyer_id])
    note: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"OrderItem(id={self.id!r})"
