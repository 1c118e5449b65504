from collections.abc import Mapping
from typing import Any, Protocol

from app.model.order_item import OrderItem


class OrderItemRepository(Protocol):
    def get_by_id(self, row_id: int) -> OrderItem | None: ...

    def list_page(self, page: int, size: int) -> tuple[list[OrderItem], int]:
        """Page `page` (from 1) of `size` rows ordered by id, and the total count."""
        ...

    def add(self, row: OrderItem) -> OrderItem:
        """Persist a new row and return it as stored; ConflictError naming the field when a unique
        value is taken, ValidationFailedError naming the fields that reference no row."""
        ...

    def update(self, row_id: int, changes: Mapping[str, Any]) -> OrderItem | None:
        """Apply `changes` to the row and return it as stored; None when there is no such row.

        Refused changes raise the errors of `add`."""
        ...

    def delete(self, row_id: int) -> bool:
        """Delete the row; False when there is none with this id (or it was deleted meanwhile).

        StillReferencedError when other rows still point at it."""
        ...

    def reference_exists(self, column: str, row_id: int) -> bool:
        """Whether the row the reference `column` would point at exists."""
        ...
