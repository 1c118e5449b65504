from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import ConflictError
from app.model.product import Product
from app.repository.database import SessionFactory


class ProductRepositoryImpl:
    """SQLAlchemy repository; each call runs in its own session and transaction."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    def get_by_id(self, product_id: int) -> Product | None:
        with self._session_factory() as session:
            return session.get(Product, product_id)

    def list_page(self, page: int, size: int) -> tuple[list[Product], int]:
        with self._session_factory() as session:
            total = session.scalar(select(func.count()).select_from(Product)) or 0
            query = select(Product).order_by(Product.id)
            rows = session.scalars(query.offset((page - 1) * size).limit(size))
            return list(rows), total

    def add(self, product: Product) -> Product:
        try:
            with self._session_factory.begin() as session:
                session.add(product)
        except IntegrityError as exc:
            raise ConflictError("Product conflicts with existing data") from exc
        return product

    def update(self, product: Product, changes: Mapping[str, Any]) -> Product:
        try:
            with self._session_factory.begin() as session:
                session.add(product)
                for name, value in changes.items():
                    setattr(product, name, value)
        except IntegrityError as exc:
            raise ConflictError("Product conflicts with existing data") from exc
        return product

    def delete(self, product_id: int) -> bool:
        try:
            with self._session_factory.begin() as session:
                product = session.get(Product, product_id)
                if product is None:
                    return False
                session.delete(product)
        except IntegrityError as exc:
            raise ConflictError("Product is still referenced by other rows") from exc
        return True

    def find_by(self, column: str, value: object) -> Product | None:
        with self._session_factory() as session:
            attribute = getattr(Product, column)
            return session.scalar(select(Product).where(attribute == value))
