from app.model.product import Product
from tests.fakes.in_memory_repository import InMemoryRepository


class InMemoryProductRepository(InMemoryRepository[Product]):
    """In-memory ProductRepository for service tests."""

    entity = Product
    human = "product"
