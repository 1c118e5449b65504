from collections.abc import Mapping
from typing import Any, Protocol

from app.model.product import Product


class ProductRepository(Protocol):
    def get_by_id(self, row_id: int) -> Product | None: ...

    def list_page(self, page: int, size: int) -> tuple[list[Product], int]:
        """Page `page` (from 1) of `size` rows ordered by id, and the total count."""
        ...

    def add(self, row: Product) -> Product:
        """Persist a new row and return it as stored; ConflictError naming the field when a unique
        value is taken, ValidationFailedError naming the fields that reference no row."""
        ...

    def update(self, row_id: int, changes: Mapping[str, Any]) -> Product | None:
        """Apply `changes` to the row and return it as stored; None when there is no such row.

        Refused changes raise the errors of `add`."""
        ...

    def delete(self, row_id: int) -> bool:
        """Delete the row; False when there is none with this id (or it was deleted meanwhile).

        StillReferencedError when other rows still point at it."""
        ...

    def find_by(self, column: str, value: object) -> Product | None:
        """The row whose unique `column` holds `value`, if any."""
        ...
