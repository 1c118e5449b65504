"""ProductServiceImpl over the in-memory repository and cache."""

from collections.abc import Mapping
from typing import Any

import pytest

from app.core.errors import (
    ConflictError,
    NotFoundError,
    ServiceUnavailableError,
    ValidationFailedError,
)
from app.core.pagination import MAX_ROW_ID
from app.dto.product_dto import ProductCreate, ProductResponse, ProductUpdate
from app.repository.cache_repository_impl import InMemoryCacheRepository
from app.service.product_service_impl import ProductServiceImpl, product_cache_key
from tests.fakes.fake_product_repository import InMemoryProductRepository
from tests.fakes.product_samples import SAMPLE_A, SAMPLE_B, UNIQUE_FIELDS

REFS: dict[str, int] = {}
"""Ids the fake repository knows for the reference fields."""


@pytest.fixture
def repository() -> InMemoryProductRepository:
    return InMemoryProductRepository()


@pytest.fixture
def cache() -> InMemoryCacheRepository:
    return InMemoryCacheRepository()


@pytest.fixture
def service(
    repository: InMemoryProductRepository,
    cache: InMemoryCacheRepository,
) -> ProductServiceImpl:
    return ProductServiceImpl(repository, cache, cache_ttl_seconds=60)


def create(service: ProductServiceImpl, sample: Mapping[str, Any] = SAMPLE_A) -> ProductResponse:
    return service.create_product(ProductCreate.model_validate({**sample, **REFS}))


def test_create_returns_every_value(service: ProductServiceImpl) -> None:
    created = create(service)

    assert {name: getattr(created, name) for name in SAMPLE_A} == SAMPLE_A
    assert {name: getattr(created, name) for name in REFS} == REFS


def test_get_reads_through_the_cache(
    service: ProductServiceImpl,
    repository: InMemoryProductRepository,
) -> None:
    created = create(service)

    assert service.get_product(created.id) == created
    reads = repository.get_by_id_calls
    assert service.get_product(created.id) == created
    assert repository.get_by_id_calls == reads


def test_get_missing_is_not_found(service: ProductServiceImpl) -> None:
    with pytest.raises(NotFoundError):
        service.get_product(999)


def test_list_pages_in_id_order(service: ProductServiceImpl) -> None:
    first = create(service)
    second = create(service, SAMPLE_B)

    page = service.list_products(page=2, size=1)

    assert (page.total, page.page, page.size) == (2, 2, 1)
    assert [item.id for item in page.items] == [second.id]
    assert [item.id for item in service.list_products(1, 10).items] == [first.id, second.id]


@pytest.mark.parametrize(("page", "size"), [(0, 10), (1, 0), (1, 101)])
def test_list_refuses_bad_pagination(service: ProductServiceImpl, page: int, size: int) -> None:
    with pytest.raises(ValidationFailedError):
        service.list_products(page, size)


def test_update_changes_fields_and_invalidates_the_cache(
    service: ProductServiceImpl,
    cache: InMemoryCacheRepository,
) -> None:
    created = create(service)
    service.get_product(created.id)

    updated = service.update_product(created.id, ProductUpdate.model_validate({**SAMPLE_B, **REFS}))

    assert {name: getattr(updated, name) for name in SAMPLE_B} == SAMPLE_B
    assert cache.get(product_cache_key(created.id)) is None
    assert service.get_product(created.id) == updated


def test_update_can_clear_an_optional_field(service: ProductServiceImpl) -> None:
    created = create(service)

    updated = service.update_product(created.id, ProductUpdate(description=None))

    assert updated.description is None


def test_an_update_must_change_something() -> None:
    with pytest.raises(ValueError, match="at least one field"):
        ProductUpdate()


def test_update_missing_is_not_found(service: ProductServiceImpl) -> None:
    with pytest.raises(NotFoundError):
        service.update_product(999, ProductUpdate.model_validate({**SAMPLE_B, **REFS}))


def test_delete_removes_and_invalidates(
    service: ProductServiceImpl,
    cache: InMemoryCacheRepository,
) -> None:
    created = create(service)
    service.get_product(created.id)

    service.delete_product(created.id)

    assert cache.get(product_cache_key(created.id)) is None
    with pytest.raises(NotFoundError):
        service.get_product(created.id)
    with pytest.raises(NotFoundError):
        service.delete_product(created.id)


@pytest.mark.parametrize("field", UNIQUE_FIELDS)
def test_unique_values_conflict(service: ProductServiceImpl, field: str) -> None:
    first = create(service)
    taken = ProductUpdate.model_validate({field: SAMPLE_A[field]})

    with pytest.raises(ConflictError) as error:
        create(service, {**SAMPLE_B, field: SAMPLE_A[field]})
    assert error.value.details == {"field": field}
    second = create(service, SAMPLE_B)
    with pytest.raises(ConflictError):
        service.update_product(second.id, taken)
    assert service.update_product(first.id, taken).id == first.id


def test_update_refuses_null_for_a_required_field() -> None:
    with pytest.raises(ValueError, match="may not be null"):
        ProductUpdate(name=None)


@pytest.mark.parametrize("row_id", [0, MAX_ROW_ID + 1, 10**30])
def test_ids_no_row_can_have_are_not_found(service: ProductServiceImpl, row_id: int) -> None:
    with pytest.raises(NotFoundError):
        service.get_product(row_id)
    with pytest.raises(NotFoundError):
        service.update_product(row_id, ProductUpdate.model_validate({**SAMPLE_B, **REFS}))
    with pytest.raises(NotFoundError):
        service.delete_product(row_id)


def test_update_of_a_row_deleted_meanwhile_is_not_found(
    service: ProductServiceImpl,
    repository: InMemoryProductRepository,
) -> None:
    created = create(service)
    repository.delete(created.id)

    with pytest.raises(NotFoundError):
        service.update_product(created.id, ProductUpdate.model_validate({**SAMPLE_B, **REFS}))


class UnreachableCache(InMemoryCacheRepository):
    """A cache whose invalidations fail, as when Redis is frozen."""

    def delete(self, *keys: str) -> bool:
        return False


def test_a_write_the_cache_cannot_invalidate_is_refused(
    repository: InMemoryProductRepository,
) -> None:
    healthy = ProductServiceImpl(repository, InMemoryCacheRepository(), cache_ttl_seconds=60)
    created = create(healthy)
    frozen = ProductServiceImpl(repository, UnreachableCache(), cache_ttl_seconds=60)

    with pytest.raises(ServiceUnavailableError):
        frozen.update_product(created.id, ProductUpdate.model_validate({**SAMPLE_B, **REFS}))
    with pytest.raises(ServiceUnavailableError):
        frozen.delete_product(created.id)
    assert healthy.get_product(created.id) == created


def test_a_cached_entry_in_an_older_shape_is_read_again(
    service: ProductServiceImpl,
    cache: InMemoryCacheRepository,
) -> None:
    created = create(service)
    cache.set(product_cache_key(created.id), '{"id": "an older shape"}', ttl_seconds=60)

    assert service.get_product(created.id) == created
    assert cache.get(product_cache_key(created.id)) is not None


def test_cache_keys_carry_the_schema_version() -> None:
    key = product_cache_key(7)
    name, version, row_id = key.split(":")
    assert (name, row_id) == ("product", "7")
    assert len(version) == 12
