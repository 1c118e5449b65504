"""The in-memory repository every resource's service tests use instead of the database.

It refuses what the database's constraints refuse (taken unique values, references to rows it
does not know), with the errors of the SQLAlchemy repository.
"""

from collections.abc import Mapping
from itertools import count
from typing import Any, ClassVar, Generic, TypeVar

from app.model.base import TimestampMixin, utc_now
from app.repository.entity_repository_impl import missing_references, unique_conflict

EntityT = TypeVar("EntityT", bound=TimestampMixin)


class InMemoryRepository(Generic[EntityT]):
    """Rows in a dict; counts reads so tests can see the cache at work."""

    entity: type[EntityT]
    human: ClassVar[str] = "row"
    referenced_names: ClassVar[Mapping[str, str]] = {}

    def __init__(self, known_ids: Mapping[str, set[int]] | None = None) -> None:
        self.rows: dict[int, EntityT] = {}
        self.get_by_id_calls = 0
        self.known_ids: Mapping[str, set[int]] = known_ids or {}
        self._ids = count(1)

    def get_by_id(self, row_id: int) -> EntityT | None:
        self.get_by_id_calls += 1
        return self.rows.get(row_id)

    def list_page(self, page: int, size: int) -> tuple[list[EntityT], int]:
        ordered = sorted(self.rows.values(), key=lambda row: row.id)
        return ordered[(page - 1) * size : page * size], len(ordered)

    def add(self, row: EntityT) -> EntityT:
        self._refuse(vars(row))
        row.id = next(self._ids)
        row.created_at = row.updated_at = utc_now()
        self.rows[row.id] = row
        return row

    def update(self, row_id: int, changes: Mapping[str, Any]) -> EntityT | None:
        row = self.rows.get(row_id)
        if row is None:
            return None
        self._refuse(changes, row_id)
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = utc_now()
        return row

    def delete(self, row_id: int) -> bool:
        return self.rows.pop(row_id, None) is not None

    def find_by(self, column: str, value: object) -> EntityT | None:
        return next((row for row in self.rows.values() if getattr(row, column) == value), None)

    def reference_exists(self, column: str, row_id: int) -> bool:
        return row_id in self.known_ids.get(column, set())

    def _refuse(self, values: Mapping[str, Any], row_id: int | None = None) -> None:
        """Raise what the database would for `values`: references first, then unique values."""
        missing = {
            field: (self.referenced_names.get(field, field), values[field])
            for field, ids in self.known_ids.items()
            if values.get(field) is not None and values[field] not in ids
        }
        if missing:
            raise missing_references(missing)
        for column in self.entity.__table__.columns:  # type: ignore[attr-defined]
            if not column.unique or column.key not in values:
                continue
            value = values[column.key]
            others = (row for row in self.rows.values() if row.id != row_id)
            if any(getattr(row, column.key) == value for row in others):
                raise unique_conflict(self.human, column.key)
