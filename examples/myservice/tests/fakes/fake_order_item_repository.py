from collections.abc import Mapping
from itertools import count
from typing import Any

from app.model.base import utc_now
from app.model.order_item import OrderItem


class InMemoryOrderItemRepository:
    """In-memory OrderItemRepository for service tests; counts reads."""

    def __init__(self, known_ids: Mapping[str, set[int]] | None = None) -> None:
        self.rows: dict[int, OrderItem] = {}
        self.get_by_id_calls = 0
        self.known_ids: Mapping[str, set[int]] = known_ids or {}
        self._ids = count(1)

    def get_by_id(self, order_item_id: int) -> OrderItem | None:
        self.get_by_id_calls += 1
        return self.rows.get(order_item_id)

    def list_page(self, page: int, size: int) -> tuple[list[OrderItem], int]:
        ordered = sorted(self.rows.values(), key=lambda row: row.id)
        return ordered[(page - 1) * size : page * size], len(ordered)

    def add(self, order_item: OrderItem) -> OrderItem:
        order_item.id = next(self._ids)
        order_item.created_at = order_item.updated_at = utc_now()
        self.rows[order_item.id] = order_item
        return order_item

    def update(self, order_item: OrderItem, changes: Mapping[str, Any]) -> OrderItem:
        for name, value in changes.items():
            setattr(order_item, name, value)
        order_item.updated_at = utc_now()
        return order_item

    def delete(self, order_item_id: int) -> bool:
        return self.rows.pop(order_item_id, None) is not None

    def reference_exists(self, column: str, row_id: int) -> bool:
        return row_id in self.known_ids.get(column, set())
