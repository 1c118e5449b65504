"""ProductRepositoryImpl against the real database."""

import pytest

from app.core.errors import ConflictError
from app.model.product import Product
from app.repository.product_repository_impl import ProductRepositoryImpl
from app.service.product_service_impl import UNIQUE_FIELDS
from app.wiring import Container
from tests.fakes.product_samples import SAMPLE_A, SAMPLE_B, sample_refs


@pytest.fixture
def repository(container: Container) -> ProductRepositoryImpl:
    return ProductRepositoryImpl(container.session_factory)


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

    repository.update(product, SAMPLE_B)

    found = repository.get_by_id(added.id)
    assert found is not None
    assert {name: getattr(found, name) for name in SAMPLE_B} == SAMPLE_B


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
    with pytest.raises(ConflictError):
        repository.add(Product(**{**SAMPLE_B, field: SAMPLE_A[field]}, **refs))
    second = repository.add(Product(**SAMPLE_B, **refs))
    with pytest.raises(ConflictError):
        repository.update(second, {field: SAMPLE_A[field]})
