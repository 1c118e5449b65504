"""The order item service over gRPC, for a layered REST process.

It stands in for the service implementation of the monolith, calling
`myservice.v1.OrderItemService`.
Errors come back as the application errors the gRPC process raised. Get and List are retried on
another process when one is unavailable; Create, Update and Delete are sent once. An id no row can
have is not found here, as in the service: it does not fit the message.
"""

from app.core.pagination import check_page, require_row_id
from app.dto.order_item_dto import (
    OrderItemCreate,
    OrderItemPage,
    OrderItemResponse,
    OrderItemUpdate,
)
from app.grpc.client.channel import ChannelPool
from app.grpc.client.messages import (
    dto_values,
    from_message,
    page_from_message,
    to_message,
    to_update_message,
)
from app.grpc.generated.myservice.v1 import order_item_pb2, order_item_pb2_grpc

JSON_FIELDS: tuple[str, ...] = ()


class OrderItemServiceClient:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels
        self._stubs = channels.stubs(order_item_pb2_grpc.OrderItemServiceStub)

    def get_order_item(self, order_item_id: int) -> OrderItemResponse:
        require_row_id(order_item_id, "Order item")
        request = order_item_pb2.GetOrderItemRequest(id=order_item_id)
        reply = self._channels.call(self._stubs, lambda s: s.Get, request, idempotent=True)
        return from_message(OrderItemResponse, reply, JSON_FIELDS)

    def list_order_items(self, page: int, size: int) -> OrderItemPage:
        check_page(page, size)
        request = order_item_pb2.ListOrderItemsRequest(page=page, size=size)
        reply = self._channels.call(self._stubs, lambda s: s.List, request, idempotent=True)
        return page_from_message(OrderItemPage, OrderItemResponse, reply, JSON_FIELDS)

    def create_order_item(self, data: OrderItemCreate) -> OrderItemResponse:
        request = to_message(order_item_pb2.CreateOrderItemRequest, dto_values(data), JSON_FIELDS)
        reply = self._channels.call(self._stubs, lambda s: s.Create, request, idempotent=False)
        return from_message(OrderItemResponse, reply, JSON_FIELDS)

    def update_order_item(self, order_item_id: int, data: OrderItemUpdate) -> OrderItemResponse:
        require_row_id(order_item_id, "Order item")
        request = to_update_message(
            order_item_pb2.UpdateOrderItemRequest,
            order_item_id,
            dto_values(data),
            JSON_FIELDS,
        )
        reply = self._channels.call(self._stubs, lambda s: s.Update, request, idempotent=False)
        return from_message(OrderItemResponse, reply, JSON_FIELDS)

    def delete_order_item(self, order_item_id: int) -> None:
        require_row_id(order_item_id, "Order item")
        request = order_item_pb2.DeleteOrderItemRequest(id=order_item_id)
        self._channels.call(self._stubs, lambda s: s.Delete, request, idempotent=False)
