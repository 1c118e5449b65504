"""OrderItemServiceImpl over the in-memory repository and cache."""

from collections.abc import Mapping
from typing import Any

import pytest

from app.core.errors import NotFoundError, ServiceUnavailableError, ValidationFailedError
from app.core.pagination import MAX_ROW_ID
from app.dto.order_item_dto import OrderItemCreate, OrderItemResponse, OrderItemUpdate
from app.repository.cache_repository_impl import InMemoryCacheRepository
from app.service.order_item_service_impl import OrderItemServiceImpl, order_item_cache_key
from tests.fakes.fake_order_item_repository import InMemoryOrderItemRepository
from tests.fakes.order_item_samples import SAMPLE_A, SAMPLE_B

REFS: dict[str, int] = {
    "product_id": 1,
    "buyer_id": 1,
}
"""Ids the fake repository knows for the reference fields."""


@pytest.fixture
def repository() -> InMemoryOrderItemRepository:
    return InMemoryOrderItemRepository(
        known_ids={column: {row_id} for column, row_id in REFS.items()},
    )


@pytest.fixture
def cache() -> InMemoryCacheRepository:
    return InMemoryCacheRepository()


@pytest.fixture
def service(
    repository: InMemoryOrderItemRepository,
    cache: InMemoryCacheRepository,
) -> OrderItemServiceImpl:
    return OrderItemServiceImpl(repository, cache, cache_ttl_seconds=60)


def create(
    service: OrderItemServiceImpl,
    sample: Mapping[str, Any] = SAMPLE_A,
) -> OrderItemResponse:
    return service.create_order_item(OrderItemCreate.model_validate({**sample, **REFS}))


def test_create_returns_every_value(service: OrderItemServiceImpl) -> None:
    created = create(service)

    assert {name: getattr(created, name) for name in SAMPLE_A} == SAMPLE_A
    assert {name: getattr(created, name) for name in REFS} == REFS


def test_get_reads_through_the_cache(
    service: OrderItemServiceImpl,
    repository: InMemoryOrderItemRepository,
) -> None:
    created = create(service)

    assert service.get_order_item(created.id) == created
    reads = repository.get_by_id_calls
    assert service.get_order_item(created.id) == created
    assert repository.get_by_id_calls == reads


def test_get_missing_is_not_found(service: OrderItemServiceImpl) -> None:
    with pytest.raises(NotFoundError):
        service.get_order_item(999)


def test_list_pages_in_id_order(service: OrderItemServiceImpl) -> None:
    first = create(service)
    second = create(service, SAMPLE_B)

    page = service.list_order_items(page=2, size=1)

    assert (page.total, page.page, page.size) == (2, 2, 1)
    assert [item.id for item in page.items] == [second.id]
    assert [item.id for item in service.list_order_items(1, 10).items] == [first.id, second.id]


@pytest.mark.parametrize(("page", "size"), [(0, 10), (1, 0), (1, 101)])
def test_list_refuses_bad_pagination(service: OrderItemServiceImpl, page: int, size: int) -> None:
    with pytest.raises(ValidationFailedError):
        service.list_order_items(page, size)


def test_update_changes_fields_and_invalidates_the_cache(
    service: OrderItemServiceImpl,
    cache: InMemoryCacheRepository,
) -> None:
    created = create(service)
    service.get_order_item(created.id)

    updated = service.update_order_item(
        created.id,
        OrderItemUpdate.model_validate({**SAMPLE_B, **REFS}),
    )

    assert {name: getattr(updated, name) for name in SAMPLE_B} == SAMPLE_B
    assert cache.get(order_item_cache_key(created.id)) is None
    assert service.get_order_item(created.id) == updated


def test_update_can_clear_an_optional_field(service: OrderItemServiceImpl) -> None:
    created = create(service)

    updated = service.update_order_item(created.id, OrderItemUpdate(note=None))

    assert updated.note is None


def test_an_update_must_change_something() -> None:
    with pytest.raises(ValueError, match="at least one field"):
        OrderItemUpdate()


def test_update_missing_is_not_found(service: OrderItemServiceImpl) -> None:
    with pytest.raises(NotFoundError):
        service.update_order_item(999, OrderItemUpdate.model_validate({**SAMPLE_B, **REFS}))


def test_delete_removes_and_invalidates(
    service: OrderItemServiceImpl,
    cache: InMemoryCacheRepository,
) -> None:
    created = create(service)
    service.get_order_item(created.id)

    service.delete_order_item(created.id)

    assert cache.get(order_item_cache_key(created.id)) is None
    with pytest.raises(NotFoundError):
        service.get_order_item(created.id)
    with pytest.raises(NotFoundError):
        service.delete_order_item(created.id)


@pytest.mark.parametrize("column", list(REFS))
def test_missing_reference_is_a_validation_error(
    service: OrderItemServiceImpl,
    column: str,
) -> None:
    created = create(service)

    with pytest.raises(ValidationFailedError) as error:
        service.create_order_item(OrderItemCreate.model_validate({**SAMPLE_B, **REFS, column: 999}))
    assert column in error.value.details["fields"]
    with pytest.raises(ValidationFailedError):
        service.update_order_item(created.id, OrderItemUpdate.model_validate({column: 999}))


def test_update_refuses_null_for_a_required_field() -> None:
    with pytest.raises(ValueError, match="may not be null"):
        OrderItemUpdate(product_id=None)


@pytest.mark.parametrize("row_id", [0, MAX_ROW_ID + 1, 10**30])
def test_ids_no_row_can_have_are_not_found(service: OrderItemServiceImpl, row_id: int) -> None:
    with pytest.raises(NotFoundError):
        service.get_order_item(row_id)
    with pytest.raises(NotFoundError):
        service.update_order_item(row_id, OrderItemUpdate.model_validate({**SAMPLE_B, **REFS}))
    with pytest.raises(NotFoundError):
        service.delete_order_item(row_id)


def test_update_of_a_row_deleted_meanwhile_is_not_found(
    service: OrderItemServiceImpl,
    repository: InMemoryOrderItemRepository,
) -> None:
    created = create(service)
    repository.delete(created.id)

    with pytest.raises(NotFoundError):
        service.update_order_item(created.id, OrderItemUpdate.model_validate({**SAMPLE_B, **REFS}))


class UnreachableCache(InMemoryCacheRepository):
    """A cache whose invalidations fail, as when Redis is frozen."""

    def delete(self, *keys: str) -> bool:
        return False


def test_a_write_the_cache_cannot_invalidate_is_refused(
    repository: InMemoryOrderItemRepository,
) -> None:
    healthy = OrderItemServiceImpl(repository, InMemoryCacheRepository(), cache_ttl_seconds=60)
    created = create(healthy)
    frozen = OrderItemServiceImpl(repository, UnreachableCache(), cache_ttl_seconds=60)

    with pytest.raises(ServiceUnavailableError):
        frozen.update_order_item(created.id, OrderItemUpdate.model_validate({**SAMPLE_B, **REFS}))
    with pytest.raises(ServiceUnavailableError):
        frozen.delete_order_item(created.id)
    assert healthy.get_order_item(created.id) == created


def test_a_cached_entry_in_an_older_shape_is_read_again(
    service: OrderItemServiceImpl,
    cache: InMemoryCacheRepository,
) -> None:
    created = create(service)
    cache.set(order_item_cache_key(created.id), '{"id": "an older shape"}', ttl_seconds=60)

    assert service.get_order_item(created.id) == created
    assert cache.get(order_item_cache_key(created.id)) is not None


def test_cache_keys_carry_the_schema_version() -> None:
    key = order_item_cache_key(7)
    name, version, row_id = key.split(":")
    assert (name, row_id) == ("order_item", "7")
    assert len(version) == 12
