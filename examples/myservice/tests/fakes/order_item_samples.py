"""Sample order items: two valid, distinct sets of values in each form.

`SAMPLE_*` hold Python values (DTOs, entities), `JSON_*` the REST representation and `PROTO_*`
the gRPC request fields. References are not part of them: `sample_refs` inserts the rows they
point at and returns their ids.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import uuid4

from app.dto.order_item_dto import OrderItemCreate
from app.model.user import User
from app.wiring import Container
from tests.fakes.product_samples import create_product

SAMPLE_A: Mapping[str, Any] = {
    "quantity": 42,
    "unit_price": Decimal("19.99"),
    "note": "A first note.",
}
SAMPLE_B: Mapping[str, Any] = {
    "quantity": 7,
    "unit_price": Decimal("5.50"),
    "note": "A second note.",
}

JSON_A: Mapping[str, Any] = {
    "quantity": 42,
    "unit_price": "19.99",
    "note": "A first note.",
}
JSON_B: Mapping[str, Any] = {
    "quantity": 7,
    "unit_price": "5.50",
    "note": "A second note.",
}

PROTO_A: Mapping[str, Any] = {
    "quantity": 42,
    "unit_price": "19.99",
    "note": "A first note.",
}
PROTO_B: Mapping[str, Any] = {
    "quantity": 7,
    "unit_price": "5.50",
    "note": "A second note.",
}


def sample_refs(container: Container) -> dict[str, int]:
    """Insert the rows the reference fields point at; their ids by field."""
    product_id = create_product(container)
    user_id = create_user(container)
    return {
        "product_id": product_id,
        "buyer_id": user_id,
    }


def create_order_item(container: Container, sample: Mapping[str, Any] = SAMPLE_A) -> int:
    """Create an order item and the rows it references; its id."""
    data = OrderItemCreate.model_validate({**sample, **sample_refs(container)})
    return container.order_item_service.create_order_item(data).id


def create_user(container: Container) -> int:
    """Insert a user with a unique email; its id."""
    user = User(email=f"{uuid4().hex}@example.com", password_hash="-", full_name="Sample User")
    with container.sessions().begin() as session:
        session.add(user)
    return user.id
