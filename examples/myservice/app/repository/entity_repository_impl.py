"""The SQLAlchemy implementation that every resource's repository shares.

A resource's `*RepositoryImpl` names its entity (and, for reference fields, the entities they
point at); the queries live here once.

Writes take one round trip: the database's unique constraints and foreign keys decide, and a
violation is read back from the error (the constraint's name, see `app.model.base`) into the
client's error: CONFLICT naming the field for a taken unique value, VALIDATION_FAILED naming
the fields for references to rows that do not exist, and `StillReferencedError` for a delete of
a row other rows still point at. Nothing is looked up before a write.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar, cast

from sqlalchemy import (
    Column,
    CursorResult,
    Row,
    Table,
    UniqueConstraint,
    delete,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from app.core.errors import ConflictError, StillReferencedError, ValidationFailedError
from app.model.base import TimestampMixin
from app.repository.database import SessionFactory

EntityT = TypeVar("EntityT", bound=TimestampMixin)

_UNIQUE_VIOLATION = "23505"
_FOREIGN_KEY_VIOLATION = "23503"
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")
_KEY_DETAIL = re.compile(r"Key \(([^)]*)\)=")


def unique_violation_column(exc: IntegrityError, table: Table) -> str | None:
    """The column whose unique value `exc` refused, or None when it was not a unique violation.

    PostgreSQL names the violated constraint (its name follows the metadata's naming
    convention, looked up in `table`); SQLite names the column in its message.
    """
    original = exc.orig
    diag = getattr(original, "diag", None)
    if diag is not None:
        if getattr(original, "sqlstate", None) != _UNIQUE_VIOLATION:
            return None
        column = _constraint_column(table, diag.constraint_name)
        if column is not None:
            return column
        detail = _KEY_DETAIL.search(diag.message_detail or "")
        return detail.group(1).split(",")[0].strip() if detail else None
    found = _SQLITE_UNIQUE.search(str(original))
    if found is None:
        return None
    return found.group(1).split(",")[0].strip().rpartition(".")[2]


def _constraint_column(table: Table, name: str | None) -> str | None:
    """The first column of `table`'s unique constraint or unique index called `name`."""
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.name == name:
            return next((column.key for column in constraint.columns), None)
    for index in table.indexes:
        if index.unique and index.name == name:
            return next((column.key for column in index.columns), None)
    return None


def is_foreign_key_violation(exc: IntegrityError) -> bool:
    original = exc.orig
    if getattr(original, "diag", None) is not None:
        return getattr(original, "sqlstate", None) == _FOREIGN_KEY_VIOLATION
    return "FOREIGN KEY constraint failed" in str(original)


def unique_conflict(human: str, field: str) -> ConflictError:
    return ConflictError(f"Another {human} already has this {field}", {"field": field})


def missing_references(missing: Mapping[str, tuple[str, int]]) -> ValidationFailedError:
    """VALIDATION_FAILED naming each reference field whose row (`(target, id)`) does not exist."""
    return ValidationFailedError.from_fields(
        {
            field: [f"There is no {target} with id {row_id}."]
            for field, (target, row_id) in missing.items()
        }
    )


class EntityRepositoryImpl(Generic[EntityT]):
    """SQLAlchemy repository of one entity; each call runs in its own session and transaction."""

    entity: type[EntityT]
    label: ClassVar[str] = "Row"
    """How messages name a row at the start of a sentence (`"Order item"`)."""
    human: ClassVar[str] = "row"
    """How messages name a row inside a sentence (`"order item"`)."""
    referenced: ClassVar[Mapping[str, type[Any]]] = {}
    """The entity each reference column points at."""
    referenced_names: ClassVar[Mapping[str, str]] = {}
    """How messages name what each reference column points at (`"category"`)."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory
        mapper = inspect(self.entity)
        self._table = cast(Table, mapper.local_table)
        self._columns = {attribute.key: attribute.columns[0] for attribute in mapper.column_attrs}
        self._id = self._columns["id"]
        self._rows = select(*self._columns.values())
        self._count = select(func.count()).select_from(self._table)
        self._new_entity: Callable[[], EntityT] = mapper.class_manager.new_instance

    def get_by_id(self, row_id: int) -> EntityT | None:
        with self._session_factory() as session:
            row = session.execute(self._rows.where(self._id == row_id)).first()
        return None if row is None else self._entity(row)

    def list_page(self, page: int, size: int) -> tuple[list[EntityT], int]:
        with self._session_factory() as session:
            total = session.scalar(self._count) or 0
            query = self._rows.order_by(self._id).offset((page - 1) * size).limit(size)
            rows = session.execute(query).all()
        return [self._entity(row) for row in rows], total

    def add(self, row: EntityT) -> EntityT:
        """INSERT ... RETURNING: the row as the database stored it (scale, UTC), in one trip."""
        given = vars(row)
        values = {key: given[key] for key in self._columns if key in given}
        statement = (
            insert(self._table).values(self._by_column(values)).returning(*self._columns.values())
        )
        try:
            with self._session_factory.begin() as session:
                stored = session.execute(statement).one()
        except IntegrityError as exc:
            raise self._refused(exc, values) from exc
        return self._entity(stored)

    def update(self, row_id: int, changes: Mapping[str, Any]) -> EntityT | None:
        """UPDATE ... RETURNING: None when the row is gone (deleted meanwhile), in one trip."""
        if not changes:
            return self.get_by_id(row_id)
        statement = (
            update(self._table)
            .where(self._id == row_id)
            .values(self._by_column(changes))
            .returning(*self._columns.values())
        )
        try:
            with self._session_factory.begin() as session:
                stored = session.execute(statement).first()
        except IntegrityError as exc:
            raise self._refused(exc, changes) from exc
        return None if stored is None else self._entity(stored)

    # Reads and writes are Core statements over the entity's columns, and rows become entities
    # here: the ORM's loading and bulk-write paths cost about 0.2 ms per call for nothing a
    # detached row needs (measured with `benches/service/`).

    def _by_column(self, values: Mapping[str, Any]) -> dict[Column[Any], Any]:
        return {self._columns[key]: value for key, value in values.items()}

    def _entity(self, row: Row[Any]) -> EntityT:
        # Built as the ORM's own loading builds an entity: its values set directly, without the
        # mapped constructor's per-attribute change events (19 us against 4.5 us per row, most
        # of a page of 20). The entity is detached, as every entity this class returns.
        entity = self._new_entity()
        entity.__dict__.update(zip(self._columns, row, strict=True))
        return entity

    def delete(self, row_id: int) -> bool:
        """One DELETE: of concurrent deletes of a row, only the one that removed it sees True."""
        statement = delete(self._table).where(self._id == row_id)
        try:
            with self._session_factory.begin() as session:
                result = cast("CursorResult[Any]", session.execute(statement))
        except IntegrityError as exc:
            raise StillReferencedError(
                f"{self.label} is still referenced by other rows; delete or change those first",
                {"id": row_id},
            ) from exc
        return result.rowcount == 1

    def find_by(self, column: str, value: object) -> EntityT | None:
        with self._session_factory() as session:
            attribute = getattr(self.entity, column)
            return session.scalar(select(self.entity).where(attribute == value))

    def reference_exists(self, column: str, row_id: int) -> bool:
        with self._session_factory() as session:
            return session.get(self.referenced[column], row_id) is not None

    def _refused(self, exc: IntegrityError, values: Mapping[str, Any]) -> Exception:
        """The client's error for a write the database refused (only now are rows looked up)."""
        column = unique_violation_column(exc, self._table)
        if column is not None:
            return unique_conflict(self.human, column)
        if is_foreign_key_violation(exc):
            missing = {
                field: (self.referenced_names.get(field, field), values[field])
                for field in self.referenced
                if values.get(field) is not None and not self.reference_exists(field, values[field])
            }
            if missing:
                return missing_references(missing)
        return ConflictError(f"{self.label} conflicts with existing data")
