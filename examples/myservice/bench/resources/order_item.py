"""One resource in `make bench`, chosen with `--resource` and this name:
order_item
"""

from collections.abc import Mapping
from typing import Any

from app.dto.order_item_dto import OrderItemCreate
from app.grpc.client.messages import dto_values, to_message
from app.grpc.generated.myservice.v1 import order_item_pb2, order_item_pb2_grpc
from app.service.order_item_service_impl import order_item_cache_key
from app.wiring import Container
from bench.spec import ResourceSpec
from tests.fakes.order_item_samples import JSON_A, JSON_B, sample_refs

JSON_FIELDS: tuple[str, ...] = ()


def payloads(container: Container) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    refs = sample_refs(container)
    return {**JSON_A, **refs}, {**JSON_B, **refs}


def create_request(body: Mapping[str, Any]) -> order_item_pb2.CreateOrderItemRequest:
    values = dto_values(OrderItemCreate.model_validate(body))
    return to_message(order_item_pb2.CreateOrderItemRequest, values, JSON_FIELDS)


RESOURCE = ResourceSpec(
    name="order_item",
    path="/api/v1/order-items",
    payloads=payloads,
    cache_key=order_item_cache_key,
    stub=order_item_pb2_grpc.OrderItemServiceStub,
    get_request=lambda id_: order_item_pb2.GetOrderItemRequest(id=id_),
    list_request=lambda page, size: order_item_pb2.ListOrderItemsRequest(page=page, size=size),
    create_request=create_request,
)
