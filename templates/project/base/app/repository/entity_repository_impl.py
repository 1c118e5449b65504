"""The SQLAlchemy implementation that every resource's repository shares.

A resource's `*RepositoryImpl` names its entity (and, for reference fields, the entities they
point at); the queries live here once.
"""

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar, cast

from sqlalchemy import CursorResult, delete, func, insert, inspect, select, update
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
        """INSERT ... RETURNING: the row as the database stored it (scale, UTC), in one trip."""
        columns = inspect(self.entity).column_attrs
        given = vars(row)
        values = {column.key: given[column.key] for column in columns if column.key in given}
        statement = insert(self.entity).returning(self.entity)
        try:
            with self._session_factory.begin() as session:
                return session.scalars(statement, [values]).one()
        except IntegrityError as exc:
            raise ConflictError(f"{self.label} conflicts with existing data") from exc

    def update(self, row_id: int, changes: Mapping[str, Any]) -> EntityT | None:
        """UPDATE ... RETURNING: None when the row is gone (deleted meanwhile), in one trip."""
        if not changes:
            return self.get_by_id(row_id)
        statement = (
            update(self.entity)
            .where(self.entity.id == row_id)
            .values(dict(changes))
            .returning(self.entity)
            .execution_options(synchronize_session=False)
        )
        try:
            with self._session_factory.begin() as session:
                return session.scalars(statement).one_or_none()
        except IntegrityError as exc:
            raise ConflictError(f"{self.label} conflicts with existing data") from exc

    def delete(self, row_id: int) -> bool:
        """One DELETE: of concurrent deletes of a row, only the one that removed it sees True."""
        statement = (
            delete(self.entity)
            .where(self.entity.id == row_id)
            .execution_options(synchronize_session=False)
        )
        try:
            with self._session_factory.begin() as session:
                result = cast("CursorResult[Any]", session.execute(statement))
        except IntegrityError as exc:
            raise ConflictError(f"{self.label} is still referenced by other rows") from exc
        return result.rowcount == 1

    def find_by(self, column: str, value: object) -> EntityT | None:
        with self._session_factory() as session:
            attribute = getattr(self.entity, column)
            return session.scalar(select(self.entity).where(attribute == value))

    def reference_exists(self, column: str, row_id: int) -> bool:
        with self._session_factory() as session:
            return session.get(self.referenced[column], row_id) is not None
