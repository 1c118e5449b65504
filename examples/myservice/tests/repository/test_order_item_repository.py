"""OrderItemRepositoryImpl against the real database."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core.errors import StillReferencedError, ValidationFailedError
from app.dto.order_item_dto import OrderItemResponse
from app.model.order_item import OrderItem
from app.repository.order_item_repository_impl import OrderItemRepositoryImpl
from app.wiring import Container
from tests.fakes.order_item_samples import SAMPLE_A, SAMPLE_B, sample_refs


@pytest.fixture
def repository(container: Container) -> OrderItemRepositoryImpl:
    return OrderItemRepositoryImpl(container.sessions())


@pytest.fixture
def refs(container: Container) -> dict[str, int]:
    return sample_refs(container)


def test_add_then_get_returns_every_value(
    repository: OrderItemRepositoryImpl,
    refs: dict[str, int],
) -> None:
    added = repository.add(OrderItem(**SAMPLE_A, **refs))

    found = repository.get_by_id(added.id)

    assert found is not None
    assert {name: getattr(found, name) for name in SAMPLE_A} == SAMPLE_A
    assert {name: getattr(found, name) for name in refs} == refs
    assert found.created_at is not None
    assert found.updated_at is not None


def test_get_missing_returns_none(repository: OrderItemRepositoryImpl) -> None:
    assert repository.get_by_id(999_999) is None


def test_list_page_orders_by_id_and_counts_all(
    repository: OrderItemRepositoryImpl,
    refs: dict[str, int],
) -> None:
    first = repository.add(OrderItem(**SAMPLE_A, **refs))
    second = repository.add(OrderItem(**SAMPLE_B, **refs))

    page_one, total = repository.list_page(1, 1)
    page_two, _ = repository.list_page(2, 1)

    assert total == 2
    assert [row.id for row in page_one + page_two] == [first.id, second.id]
    assert repository.list_page(3, 1) == ([], 2)


def test_update_changes_the_given_fields(
    repository: OrderItemRepositoryImpl,
    refs: dict[str, int],
) -> None:
    added = repository.add(OrderItem(**SAMPLE_A, **refs))
    order_item = repository.get_by_id(added.id)
    assert order_item is not None

    repository.update(order_item.id, SAMPLE_B)

    found = repository.get_by_id(added.id)
    assert found is not None
    assert {name: getattr(found, name) for name in SAMPLE_B} == SAMPLE_B


def test_add_and_update_return_what_the_database_stored(
    repository: OrderItemRepositoryImpl,
    refs: dict[str, int],
) -> None:
    def as_json(row: OrderItem | None) -> str:
        return OrderItemResponse.model_validate(row).model_dump_json()

    added = repository.add(OrderItem(**SAMPLE_A, **refs))
    assert as_json(added) == as_json(repository.get_by_id(added.id))

    updated = repository.update(added.id, SAMPLE_B)
    assert as_json(updated) == as_json(repository.get_by_id(added.id))


def test_update_of_a_deleted_row_returns_none(
    repository: OrderItemRepositoryImpl,
    refs: dict[str, int],
) -> None:
    added = repository.add(OrderItem(**SAMPLE_A, **refs))
    assert repository.delete(added.id)

    assert repository.update(added.id, SAMPLE_B) is None


def test_of_concurrent_deletes_only_one_succeeds(
    repository: OrderItemRepositoryImpl,
    refs: dict[str, int],
) -> None:
    added = repository.add(OrderItem(**SAMPLE_A, **refs))
    start = threading.Barrier(4)

    def delete() -> bool:
        start.wait()
        return repository.delete(added.id)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: delete(), range(4)))

    assert results.count(True) == 1


def test_delete(repository: OrderItemRepositoryImpl, refs: dict[str, int]) -> None:
    added = repository.add(OrderItem(**SAMPLE_A, **refs))

    assert repository.delete(added.id) is True
    assert repository.get_by_id(added.id) is None
    assert repository.delete(added.id) is False


def test_reference_lookups(repository: OrderItemRepositoryImpl, refs: dict[str, int]) -> None:
    for column, row_id in refs.items():
        assert repository.reference_exists(column, row_id) is True
        assert repository.reference_exists(column, 999_999) is False


def test_missing_reference_is_refused_by_the_database(
    repository: OrderItemRepositoryImpl,
    refs: dict[str, int],
) -> None:
    column = next(iter(refs))

    with pytest.raises(ValidationFailedError) as error:
        repository.add(OrderItem(**SAMPLE_A, **{**refs, column: 999_999}))
    assert list(error.value.details["fields"]) == [column]
    added = repository.add(OrderItem(**SAMPLE_A, **refs))
    with pytest.raises(ValidationFailedError) as error:
        repository.update(added.id, {column: 999_999})
    assert list(error.value.details["fields"]) == [column]


def test_a_referenced_product_cannot_be_deleted(
    container: Container,
    repository: OrderItemRepositoryImpl,
    refs: dict[str, int],
) -> None:
    repository.add(OrderItem(**SAMPLE_A, **refs))

    with pytest.raises(StillReferencedError):
        container.product_service.delete_product(refs["product_id"])
