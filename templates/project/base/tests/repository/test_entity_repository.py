"""EntityRepositoryImpl on an entity of its own, so the shared queries are tested in every
project (the repositories of the resources run the same code against the real database)."""

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from app.core.errors import ConflictError, StillReferencedError, ValidationFailedError
from app.model.base import TimestampMixin
from app.repository.database import SessionFactory, create_db_engine
from app.repository.entity_repository_impl import EntityRepositoryImpl


class _Base(DeclarativeBase):
    pass


class Shelf(TimestampMixin, _Base):
    __tablename__ = "shelves"

    label: Mapped[str] = mapped_column(String(20), unique=True)


class Book(TimestampMixin, _Base):
    __tablename__ = "books"

    title: Mapped[str] = mapped_column(String(20), unique=True)
    shelf_id: Mapped[int | None] = mapped_column(ForeignKey("shelves.id"))


class ShelfRepository(EntityRepositoryImpl[Shelf]):
    entity = Shelf
    label = "Shelf"
    human = "shelf"


class BookRepository(EntityRepositoryImpl[Book]):
    entity = Book
    label = "Book"
    human = "book"
    referenced: ClassVar[Mapping[str, type[Any]]] = {"shelf_id": Shelf}
    referenced_names: ClassVar[Mapping[str, str]] = {"shelf_id": "shelf"}


@pytest.fixture
def factory() -> Iterator[SessionFactory]:
    engine = create_db_engine("sqlite://")  # foreign keys enforced, as in the application
    _Base.metadata.create_all(engine)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def test_crud_and_pages(factory: SessionFactory) -> None:
    books = BookRepository(factory)
    first = books.add(Book(title="Dune"))
    second = books.add(Book(title="Emma"))

    assert books.get_by_id(first.id) is not None
    page, total = books.list_page(2, 1)
    assert ([row.id for row in page], total) == ([second.id], 2)
    assert [row.id for row in books.list_page(1, 2)[0]] == [first.id, second.id]
    updated = books.update(first.id, {"title": "Dune II"})
    assert updated is not None
    assert updated.title == "Dune II"
    assert books.update(first.id, {}) is not None
    assert books.find_by("title", "Dune II") is not None
    assert books.find_by("title", "Dune") is None
    assert books.delete(first.id)
    assert not books.delete(first.id)
    assert books.get_by_id(first.id) is None
    assert books.update(first.id, {"title": "Gone"}) is None


def test_conflicts_and_references(factory: SessionFactory) -> None:
    shelves = ShelfRepository(factory)
    books = BookRepository(factory)
    shelf = shelves.add(Shelf(label="A"))
    book = books.add(Book(title="Dune"))

    assert books.reference_exists("shelf_id", shelf.id)
    assert not books.reference_exists("shelf_id", shelf.id + 1)
    with pytest.raises(ConflictError, match="Another book already has this title") as taken:
        books.add(Book(title="Dune"))
    assert taken.value.details == {"field": "title"}
    other = books.add(Book(title="Emma"))
    with pytest.raises(ConflictError) as taken:
        books.update(other.id, {"title": "Dune"})
    assert taken.value.details == {"field": "title"}
    assert book.id is not None
    assert books.find_by("title", "Emma") is not None


def test_the_database_decides_references(factory: SessionFactory) -> None:
    shelves = ShelfRepository(factory)
    books = BookRepository(factory)
    shelf = shelves.add(Shelf(label="A"))
    book = books.add(Book(title="Dune", shelf_id=shelf.id))

    with pytest.raises(ValidationFailedError) as missing:
        books.add(Book(title="Emma", shelf_id=shelf.id + 1))
    assert missing.value.details == {
        "fields": {"shelf_id": [f"There is no shelf with id {shelf.id + 1}."]}
    }
    with pytest.raises(ValidationFailedError):
        books.update(book.id, {"shelf_id": shelf.id + 1})
    with pytest.raises(StillReferencedError, match="Shelf is still referenced"):
        shelves.delete(shelf.id)
    assert books.delete(book.id)
    assert shelves.delete(shelf.id)
