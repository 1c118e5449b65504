from collections.abc import Mapping
from itertools import count
from typing import Any

from app.model.base import utc_now
from app.model.product import Product


class InMemoryProductRepository:
    """In-memory ProductRepository for service tests; counts reads."""

    def __init__(self) -> None:
        self.rows: dict[int, Product] = {}
        self.get_by_id_calls = 0
        self._ids = count(1)

    def get_by_id(self, product_id: int) -> Product | None:
        self.get_by_id_calls += 1
        return self.rows.get(product_id)

    def list_page(self, page: int, size: int) -> tuple[list[Product], int]:
        ordered = sorted(self.rows.values(), key=lambda row: row.id)
        return ordered[(page - 1) * size : page * size], len(ordered)

    def add(self, product: Product) -> Product:
        product.id = next(self._ids)
        product.created_at = product.updated_at = utc_now()
        self.rows[product.id] = product
        return product

    def update(self, product: Product, changes: Mapping[str, Any]) -> Product:
        for name, value in changes.items():
            setattr(product, name, value)
        product.updated_at = utc_now()
        return product

    def delete(self, product_id: int) -> bool:
        return self.rows.pop(product_id, None) is not None

    def find_by(self, column: str, value: object) -> Product | None:
        return next((row for row in self.rows.values() if getattr(row, column) == value), None)
