"""gRPC adapter of the order item service (`order_item.proto`).

Requests are validated as the same DTOs the REST API uses; responses are built from the DTOs
the service returns. Errors are raised, never answered here: the error interceptor maps them.
"""

from typing import Any

import grpc
from google.protobuf.empty_pb2 import Empty
from google.protobuf.message import Message

from app.core.errors import ValidationFailedError
from app.core.pagination import DEFAULT_PAGE_SIZE
from app.dto.order_item_dto import OrderItemCreate, OrderItemResponse, OrderItemUpdate
from app.dto.validation import parse_dto
from app.grpc.convert import decimal_text, message_to_dict, to_timestamp
from app.grpc.generated.myservice.v1 import order_item_pb2, order_item_pb2_grpc
from app.service.order_item_service import OrderItemService


def order_item_to_proto(order_item: OrderItemResponse) -> order_item_pb2.OrderItem:
    return order_item_pb2.OrderItem(
        id=order_item.id,
        product_id=order_item.product_id,
        quantity=order_item.quantity,
        unit_price=decimal_text(order_item.unit_price),
        buyer_id=order_item.buyer_id,
        note=order_item.note,
        created_at=to_timestamp(order_item.created_at),
        updated_at=to_timestamp(order_item.updated_at),
    )


def _fields(request: Message) -> dict[str, Any]:
    """The fields set in the request as DTO input."""
    return message_to_dict(request)


class OrderItemServicer(order_item_pb2_grpc.OrderItemServiceServicer):
    def __init__(self, order_item_service: OrderItemService) -> None:
        self._order_item_service = order_item_service

    def Get(
        self,
        request: order_item_pb2.GetOrderItemRequest,
        context: grpc.ServicerContext,
    ) -> order_item_pb2.OrderItem:
        return order_item_to_proto(self._order_item_service.get_order_item(request.id))

    def List(
        self,
        request: order_item_pb2.ListOrderItemsRequest,
        context: grpc.ServicerContext,
    ) -> order_item_pb2.ListOrderItemsResponse:
        page = self._order_item_service.list_order_items(
            request.page or 1,
            request.size or DEFAULT_PAGE_SIZE,
        )
        return order_item_pb2.ListOrderItemsResponse(
            items=[order_item_to_proto(item) for item in page.items],
            total=page.total,
            page=page.page,
            size=page.size,
        )

    def Create(
        self,
        request: order_item_pb2.CreateOrderItemRequest,
        context: grpc.ServicerContext,
    ) -> order_item_pb2.OrderItem:
        data = parse_dto(OrderItemCreate, _fields(request))
        return order_item_to_proto(self._order_item_service.create_order_item(data))

    def Update(
        self,
        request: order_item_pb2.UpdateOrderItemRequest,
        context: grpc.ServicerContext,
    ) -> order_item_pb2.OrderItem:
        data = _fields(request)
        del data["id"]
        for name in data.pop("clear", []):
            if name in data:
                raise ValidationFailedError.from_fields({name: ["Both set and cleared."]})
            data[name] = None
        changes = parse_dto(OrderItemUpdate, data)
        return order_item_to_proto(self._order_item_service.update_order_item(request.id, changes))

    def Delete(
        self,
        request: order_item_pb2.DeleteOrderItemRequest,
        context: grpc.ServicerContext,
    ) -> Empty:
        self._order_item_service.delete_order_item(request.id)
        return Empty()
