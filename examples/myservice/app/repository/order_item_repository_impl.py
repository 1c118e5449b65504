from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import ConflictError
from app.model.base import Base
from app.model.order_item import OrderItem
from app.model.product import Product
from app.model.user import User
from app.repository.database import SessionFactory

REFERENCED: dict[str, type[Base]] = {"product_id": Product, "buyer_id": User}
"""The entity each reference column points at."""


class OrderItemRepositoryImpl:
    """SQLAlchemy repository; each call runs in its own session and transaction."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    def get_by_id(self, order_item_id: int) -> OrderItem | None:
        with self._session_factory() as session:
            return session.get(OrderItem, order_item_id)

    def list_page(self, page: int, size: int) -> tuple[list[OrderItem], int]:
        with self._session_factory() as session:
            total = session.scalar(select(func.count()).select_from(OrderItem)) or 0
            query = select(OrderItem).order_by(OrderItem.id)
            rows = session.scalars(query.offset((page - 1) * size).limit(size))
            return list(rows), total

    def add(self, order_item: OrderItem) -> OrderItem:
        try:
            with self._session_factory.begin() as session:
                session.add(order_item)
        except IntegrityError as exc:
            raise ConflictError("Order item conflicts with existing data") from exc
        return order_item

    def update(self, order_item: OrderItem, changes: Mapping[str, Any]) -> OrderItem:
        try:
            with self._session_factory.begin() as session:
                session.add(order_item)
                for name, value in changes.items():
                    setattr(order_item, name, value)
        except IntegrityError as exc:
            raise ConflictError("Order item conflicts with existing data") from exc
        return order_item

    def delete(self, order_item_id: int) -> bool:
        try:
            with self._session_factory.begin() as session:
                order_item = session.get(OrderItem, order_item_id)
                if order_item is None:
                    return False
                session.delete(order_item)
        except IntegrityError as exc:
            raise ConflictError("Order item is still referenced by other rows") from exc
        return True

    def reference_exists(self, column: str, row_id: int) -> bool:
        with self._session_factory() as session:
            return session.get(REFERENCED[column], row_id) is not None
