from collections.abc import Mapping
from typing import Any, ClassVar

from app.model.order_item import OrderItem
from app.model.product import Product
from app.model.user import User
from app.repository.entity_repository_impl import EntityRepositoryImpl


class OrderItemRepositoryImpl(EntityRepositoryImpl[OrderItem]):
    """SQLAlchemy repository of order items (queries in EntityRepositoryImpl)."""

    entity = OrderItem
    label = "Order item"
    human = "order item"
    referenced: ClassVar[Mapping[str, type[Any]]] = {"product_id": Product, "buyer_id": User}
    referenced_names: ClassVar[Mapping[str, str]] = {"product_id": "product", "buyer_id": "user"}
