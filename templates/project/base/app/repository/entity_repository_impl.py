"""The SQLAlchemy implementation that every resource's repository shares.

A resource's `*RepositoryImpl` names its entity (and, for reference fields, the entities they
point at); the queries live here once.
"""

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import ConflictError
from app.model.base import TimestampMixin
from app.repository.database import SessionFactory

EntityT = TypeVar("EntityT", bound=TimestampMixin)


class EntityRepositoryImpl(Generic[EntityT]):
    """SQLAlchemy repository of one entity; each call runs in its own session and transaction."""

    entity: type[EntityT]
    label: ClassVar[str] = "Row"
    """How conflict messages name a row (`"Product"`)."""
    referenced: ClassVar[Mapping[str, type[Any]]] = {}
    """The entity each reference column points at."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    def get_by_id(self, row_id: int) -> EntityT | None:
        with self._session_factory() as session:
            return session.get(self.entity, row_id)

    def list_page(self, page: int, size: int) -> tuple[list[EntityT], int]:
        with self._session_factory() as session:
            total = session.scalar(select(func.count()).select_from(self.entity)) or 0
            query = select(self.entity).order_by(self.entity.id)
            rows = session.scalars(query.offset((page - 1) * size).limit(size))
            return list(rows), total

    def add(self, row: EntityT) -> EntityT:
        try:
            with self._session_factory.begin() as session:
                session.add(row)
        except IntegrityError as exc:
            raise ConflictError(f"{self.label} conflicts with existing data") from exc
        return row

    def update(self, row: EntityT, changes: Mapping[str, Any]) -> EntityT:
        try:
            with self._session_factory.begin() as session:
                session.add(row)
                for name, value in changes.items():
                    setattr(row, name, value)
        except IntegrityError as exc:
            raise ConflictError(f"{self.label} conflicts with existing data") from exc
        return row

    def delete(self, row_id: int) -> bool:
        try:
            with self._session_factory.begin() as session:
                row = session.get(self.entity, row_id)
                if row is None:
                    return False
                session.delete(row)
        except IntegrityError as exc:
            raise ConflictError(f"{self.label} is still referenced by other rows") from exc
        return True

    def find_by(self, column: str, value: object) -> EntityT | None:
        with self._session_factory() as session:
            attribute = getattr(self.entity, column)
            return session.scalar(select(self.entity).where(attribute == value))

    def reference_exists(self, column: str, row_id: int) -> bool:
        with self._session_factory() as session:
            return session.get(self.referenced[column], row_id) is not None
