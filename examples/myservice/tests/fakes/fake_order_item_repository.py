from collections.abc import Mapping
from typing import ClassVar

from app.model.order_item import OrderItem
from tests.fakes.in_memory_repository import InMemoryRepository


class InMemoryOrderItemRepository(InMemoryRepository[OrderItem]):
    """In-memory OrderItemRepository for service tests."""

    entity = OrderItem
    human = "order item"
    referenced_names: ClassVar[Mapping[str, str]] = {"product_id": "product", "buyer_id": "user"}
