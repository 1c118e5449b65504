from app.model.order_item import OrderItem
from tests.fakes.in_memory_repository import InMemoryRepository


class InMemoryOrderItemRepository(InMemoryRepository[OrderItem]):
    """In-memory OrderItemRepository for service tests."""
