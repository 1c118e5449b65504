from typing import Protocol

from app.dto.order_item_dto import (
    OrderItemCreate,
    OrderItemPage,
    OrderItemResponse,
    OrderItemUpdate,
)


class OrderItemService(Protocol):
    def get_order_item(self, order_item_id: int) -> OrderItemResponse:
        """The order item (read-through cached); NotFoundError if there is none."""
        ...

    def list_order_items(self, page: int, size: int) -> OrderItemPage:
        """A page of order items ordered by id, with the total count."""
        ...

    def create_order_item(self, data: OrderItemCreate) -> OrderItemResponse:
        """Create an order item; ConflictError, ValidationFailedError (references)."""
        ...

    def update_order_item(self, order_item_id: int, data: OrderItemUpdate) -> OrderItemResponse:
        """Change the fields present in `data`; NotFoundError, ConflictError."""
        ...

    def delete_order_item(self, order_item_id: int) -> None:
        """Delete the order item; NotFoundError if there is none."""
        ...
