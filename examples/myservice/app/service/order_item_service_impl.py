from app.core.errors import NotFoundError
from app.core.pagination import check_page, require_row_id
from app.dto.order_item_dto import (
    OrderItemCreate,
    OrderItemPage,
    OrderItemResponse,
    OrderItemUpdate,
)
from app.model.order_item import OrderItem
from app.repository.cache_repository import CacheRepository
from app.repository.order_item_repository import OrderItemRepository
from app.service.model_cache import ModelCache, cache_key


def order_item_cache_key(order_item_id: int) -> str:
    return cache_key("order_item", OrderItemResponse, order_item_id)


class OrderItemServiceImpl:
    def __init__(
        self,
        repository: OrderItemRepository,
        cache: CacheRepository,
        cache_ttl_seconds: int,
    ) -> None:
        self._repository = repository
        self._cached = ModelCache(cache, "order_item", OrderItemResponse, cache_ttl_seconds)

    def get_order_item(self, order_item_id: int) -> OrderItemResponse:
        cached = self._cached.get(order_item_id)
        if cached is not None:
            return cached
        response = OrderItemResponse.model_validate(self._require(order_item_id))
        self._cached.put(order_item_id, response)
        return response

    def list_order_items(self, page: int, size: int) -> OrderItemPage:
        check_page(page, size)
        rows, total = self._repository.list_page(page, size)
        items = [OrderItemResponse.model_validate(row) for row in rows]
        return OrderItemPage(items=items, total=total, page=page, size=size)

    def create_order_item(self, data: OrderItemCreate) -> OrderItemResponse:
        # The database's constraints decide (unique values, references): one round trip.
        order_item = self._repository.add(OrderItem(**data.model_dump()))
        return OrderItemResponse.model_validate(order_item)

    def update_order_item(self, order_item_id: int, data: OrderItemUpdate) -> OrderItemResponse:
        require_row_id(order_item_id, "Order item")
        changes = data.changes()
        self._cached.invalidate_before_write(order_item_id)
        order_item = self._repository.update(order_item_id, changes)
        self._cached.invalidate_after_write(order_item_id)
        if order_item is None:
            raise NotFoundError("Order item not found", {"id": order_item_id})
        return OrderItemResponse.model_validate(order_item)

    def delete_order_item(self, order_item_id: int) -> None:
        require_row_id(order_item_id, "Order item")
        self._cached.invalidate_before_write(order_item_id)
        deleted = self._repository.delete(order_item_id)
        self._cached.invalidate_after_write(order_item_id)
        if not deleted:
            raise NotFoundError("Order item not found", {"id": order_item_id})

    def _require(self, order_item_id: int) -> OrderItem:
        require_row_id(order_item_id, "Order item")
        order_item = self._repository.get_by_id(order_item_id)
        if order_item is None:
            raise NotFoundError("Order item not found", {"id": order_item_id})
        return order_item
