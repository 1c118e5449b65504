"""Sample products: two valid, distinct sets of values in each form.

`SAMPLE_*` hold Python values (DTOs, entities), `JSON_*` the REST representation and `PROTO_*`
the gRPC request fields. References are not part of them: `sample_refs` inserts the rows they
point at and returns their ids.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.domain.product import ProductStatus
from app.dto.product_dto import ProductCreate
from app.wiring import Container

UNIQUE_FIELDS = ("name",)
"""Fields no two products may share (unique constraints in the database)."""

SAMPLE_A: Mapping[str, Any] = {
    "name": "Desk Lamp",
    "description": "A first description.",
    "price": Decimal("19.99"),
    "stock": 42,
    "status": ProductStatus.DRAFT,
}
SAMPLE_B: Mapping[str, Any] = {
    "name": "Office Chair",
    "description": "A second description.",
    "price": Decimal("5.50"),
    "stock": 7,
    "status": ProductStatus.ACTIVE,
}

JSON_A: Mapping[str, Any] = {
    "name": "Desk Lamp",
    "description": "A first description.",
    "price": "19.99",
    "stock": 42,
    "status": "draft",
}
JSON_B: Mapping[str, Any] = {
    "name": "Office Chair",
    "description": "A second description.",
    "price": "5.50",
    "stock": 7,
    "status": "active",
}

PROTO_A: Mapping[str, Any] = {
    "name": "Desk Lamp",
    "description": "A first description.",
    "price": "19.99",
    "stock": 42,
    "status": "draft",
}
PROTO_B: Mapping[str, Any] = {
    "name": "Office Chair",
    "description": "A second description.",
    "price": "5.50",
    "stock": 7,
    "status": "active",
}


def sample_refs(container: Container) -> dict[str, int]:
    """Insert the rows the reference fields point at; their ids by field."""
    return {}


def create_product(container: Container, sample: Mapping[str, Any] = SAMPLE_A) -> int:
    """Create a product and the rows it references; its id."""
    data = ProductCreate.model_validate({**sample, **sample_refs(container)})
    return container.product_service.create_product(data).id
