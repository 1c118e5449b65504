"""ProductRepositoryImpl against the real database."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core.errors import ConflictError
from app.dto.product_dto import ProductResponse
from app.model.product import Product
from app.repository.product_repository_impl import ProductRepositoryImpl
from app.wiring import Container
from tests.fakes.product_samples import SAMPLE_A, SAMPLE_B, UNIQUE_FIELDS, sample_refs


@pytest.fixture
def repository(container: Container) -> ProductRepositoryImpl:
    return ProductRepositoryImpl(container.sessions())


@pytest.fixture
def refs(container: Container) -> dict[str, int]:
    return sample_refs(container)


def test_add_then_get_returns_every_value(
    repository: ProductRepositoryImpl,
    refs: dict[str, int],
) -> None:
    added = repository.add(Product(**SAMPLE_A, **refs))

    found = repository.get_by_id(added.id)

    assert found is not None
    assert {name: getattr(found, name) for name in SAMPLE_A} == SAMPLE_A
    assert {name: getattr(found, name) for name in refs} == refs
    assert found.created_at is not None
    assert found.updated_at is not None


def test_get_missing_returns_none(repository: ProductRepositoryImpl) -> None:
    assert repository.get_by_id(999_999) is None


def test_list_page_orders_by_id_and_counts_all(
    repository: ProductRepositoryImpl,
    refs: dict[str, int],
) -> None:
    first = repository.add(Product(**SAMPLE_A, **refs))
    second = repository.add(Product(**SAMPLE_B, **refs))

    page_one, total = repository.list_page(1, 1)
    page_two, _ = repository.list_page(2, 1)

    assert total == 2
    assert [row.id for row in page_one + page_two] == [first.id, second.id]
    assert repository.list_page(3, 1) == ([], 2)


def test_update_changes_the_given_fields(
    repository: ProductRepositoryImpl,
    refs: dict[str, int],
) -> None:
    added = repository.add(Product(**SAMPLE_A, **refs))
    product = repository.get_by_id(added.id)
    assert product is not None

    repository.update(product.id, SAMPLE_B)

    found = repository.get_by_id(added.id)
    assert found is not None
    assert {name: getattr(found, name) for name in SAMPLE_B} == SAMPLE_B


def test_add_and_update_return_what_the_database_stored(
    repository: ProductRepositoryImpl,
    refs: dict[str, int],
) -> None:
    def as_json(row: Product | None) -> str:
        return ProductResponse.model_validate(row).model_dump_json()

    added = repository.add(Product(**SAMPLE_A, **refs))
    assert as_json(added) == as_json(repository.get_by_id(added.id))

    updated = repository.update(added.id, SAMPLE_B)
    assert as_json(updated) == as_json(repository.get_by_id(added.id))


def test_update_of_a_deleted_row_returns_none(
    repository: ProductRepositoryImpl,
    refs: dict[str, int],
) -> None:
    added = repository.add(Product(**SAMPLE_A, **refs))
    assert repository.delete(added.id)

    assert repository.update(added.id, SAMPLE_B) is None


def test_of_concurrent_deletes_only_one_succeeds(
    repository: ProductRepositoryImpl,
    refs: dict[str, int],
) -> None:
    added = repository.add(Product(**SAMPLE_A, **refs))
    start = threading.Barrier(4)

    def delete() -> bool:
        start.wait()
        return repository.delete(added.id)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: delete(), range(4)))

    assert results.count(True) == 1


def test_delete(repository: ProductRepositoryImpl, refs: dict[str, int]) -> None:
    added = repository.add(Product(**SAMPLE_A, **refs))

    assert repository.delete(added.id) is True
    assert repository.get_by_id(added.id) is None
    assert repository.delete(added.id) is False


@pytest.mark.parametrize("field", UNIQUE_FIELDS)
def test_unique_values_are_found_and_enforced(
    repository: ProductRepositoryImpl,
    refs: dict[str, int],
    field: str,
) -> None:
    first = repository.add(Product(**SAMPLE_A, **refs))

    found = repository.find_by(field, SAMPLE_A[field])
    assert found is not None
    assert found.id == first.id
    assert repository.find_by(field, SAMPLE_B[field]) is None
    with pytest.raises(ConflictError) as error:
        repository.add(Product(**{**SAMPLE_B, field: SAMPLE_A[field]}, **refs))
    assert error.value.details == {"field": field}
    second = repository.add(Product(**SAMPLE_B, **refs))
    with pytest.raises(ConflictError) as error:
        repository.update(second.id, {field: SAMPLE_A[field]})
    assert error.value.details == {"field": field}
    assert repository.update(first.id, {field: SAMPLE_A[field]}) is not None
