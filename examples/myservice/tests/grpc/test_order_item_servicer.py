"""OrderItemService over a real gRPC server and the database."""

from decimal import Decimal
from typing import Any

import grpc
import pytest

from app.grpc.errors import error_details
from app.grpc.generated.myservice.v1 import order_item_pb2, order_item_pb2_grpc
from app.wiring import Container
from tests.fakes.order_item_samples import PROTO_A, PROTO_B, SAMPLE_A, SAMPLE_B, sample_refs
from tests.grpc.conftest import Metadata, bearer
from tests.grpc.decode import present

Stub = order_item_pb2_grpc.OrderItemServiceStub


def values(message: order_item_pb2.OrderItem) -> dict[str, Any]:
    """The sample fields of a message, decoded to Python values."""
    return {
        "quantity": message.quantity,
        "unit_price": Decimal(message.unit_price),
        "note": present(message, "note"),
    }


@pytest.fixture
def stub(channel: grpc.Channel) -> Stub:
    return order_item_pb2_grpc.OrderItemServiceStub(channel)


@pytest.fixture
def metadata(auth_headers: dict[str, str]) -> Metadata:
    return bearer(auth_headers["Authorization"].removeprefix("Bearer "))


@pytest.fixture
def refs(container: Container) -> dict[str, int]:
    return sample_refs(container)


def create(stub: Stub, metadata: Metadata, fields: dict[str, Any]) -> order_item_pb2.OrderItem:
    reply: order_item_pb2.OrderItem = stub.Create(
        order_item_pb2.CreateOrderItemRequest(**fields),
        metadata=metadata,
    )
    return reply


def test_create_then_get(stub: Stub, metadata: Metadata, refs: dict[str, int]) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    found = stub.Get(order_item_pb2.GetOrderItemRequest(id=created.id), metadata=metadata)

    assert (found.id, found.created_at, found.updated_at) == (
        created.id,
        created.created_at,
        created.updated_at,
    )
    assert values(found) == values(created) == SAMPLE_A
    assert {name: getattr(found, name) for name in refs} == refs


def test_get_missing_is_not_found(stub: Stub, metadata: Metadata) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stub.Get(order_item_pb2.GetOrderItemRequest(id=999_999), metadata=metadata)

    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_list_paginates_in_id_order(stub: Stub, metadata: Metadata, refs: dict[str, int]) -> None:
    first = create(stub, metadata, {**PROTO_A, **refs})
    second = create(stub, metadata, {**PROTO_B, **refs})

    page = stub.List(order_item_pb2.ListOrderItemsRequest(page=2, size=1), metadata=metadata)

    assert [item.id for item in page.items] == [second.id]
    assert (page.total, page.page, page.size) == (2, 2, 1)
    everything = stub.List(order_item_pb2.ListOrderItemsRequest(), metadata=metadata)
    assert [item.id for item in everything.items] == [first.id, second.id]
    with pytest.raises(grpc.RpcError) as error:
        stub.List(order_item_pb2.ListOrderItemsRequest(size=101), metadata=metadata)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_update_changes_the_given_fields(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    updated = stub.Update(
        order_item_pb2.UpdateOrderItemRequest(id=created.id, **{**PROTO_B, **refs}),
        metadata=metadata,
    )

    found = stub.Get(order_item_pb2.GetOrderItemRequest(id=created.id), metadata=metadata)
    assert values(updated) == values(found) == SAMPLE_B


def test_update_clears_an_optional_field(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    updated = stub.Update(
        order_item_pb2.UpdateOrderItemRequest(id=created.id, clear=["note"]),
        metadata=metadata,
    )

    assert not updated.HasField("note")
    both = {**PROTO_A, **refs}
    with pytest.raises(grpc.RpcError) as error:
        stub.Update(
            order_item_pb2.UpdateOrderItemRequest(id=created.id, clear=["note"], note=both["note"]),
            metadata=metadata,
        )
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_update_refuses_clearing_a_required_field(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    with pytest.raises(grpc.RpcError) as error:
        stub.Update(
            order_item_pb2.UpdateOrderItemRequest(id=created.id, clear=["product_id"]),
            metadata=metadata,
        )

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "product_id" in error_details(error.value)["details"]["fields"]


def test_create_without_a_required_field_is_invalid(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    fields = {**PROTO_A, **refs}
    del fields["product_id"]

    with pytest.raises(grpc.RpcError) as error:
        create(stub, metadata, fields)

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "product_id" in error_details(error.value)["details"]["fields"]


def test_update_missing_is_not_found(stub: Stub, metadata: Metadata, refs: dict[str, int]) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stub.Update(
            order_item_pb2.UpdateOrderItemRequest(id=999_999, **{**PROTO_B, **refs}),
            metadata=metadata,
        )

    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_an_update_without_changes_is_invalid_argument(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    with pytest.raises(grpc.RpcError) as error:
        stub.Update(order_item_pb2.UpdateOrderItemRequest(id=created.id), metadata=metadata)

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "at least one field" in str(error_details(error.value)["details"])


def test_delete(stub: Stub, metadata: Metadata, refs: dict[str, int]) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    stub.Delete(order_item_pb2.DeleteOrderItemRequest(id=created.id), metadata=metadata)

    with pytest.raises(grpc.RpcError) as error:
        stub.Delete(order_item_pb2.DeleteOrderItemRequest(id=created.id), metadata=metadata)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_invalid_value_is_invalid_argument(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    with pytest.raises(grpc.RpcError) as error:
        create(stub, metadata, {**PROTO_A, **refs, "unit_price": "many"})

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unit_price" in error_details(error.value)["details"]["fields"]


def test_missing_reference_is_invalid_argument(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    column = next(iter(refs))

    with pytest.raises(grpc.RpcError) as error:
        create(stub, metadata, {**PROTO_A, **refs, column: 999_999})

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert column in error_details(error.value)["details"]["fields"]


def test_requires_authentication(stub: Stub) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stub.List(order_item_pb2.ListOrderItemsRequest())

    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
