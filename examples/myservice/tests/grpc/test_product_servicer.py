"""ProductService over a real gRPC server and the database."""

from decimal import Decimal
from typing import Any

import grpc
import pytest

from app.domain.product import ProductStatus
from app.grpc.errors import error_details
from app.grpc.generated.myservice.v1 import product_pb2, product_pb2_grpc
from app.wiring import Container
from tests.fakes.product_samples import PROTO_A, PROTO_B, SAMPLE_A, SAMPLE_B, sample_refs
from tests.grpc.conftest import Metadata, bearer
from tests.grpc.decode import present

Stub = product_pb2_grpc.ProductServiceStub


def values(message: product_pb2.Product) -> dict[str, Any]:
    """The sample fields of a message, decoded to Python values."""
    return {
        "name": message.name,
        "description": present(message, "description"),
        "price": Decimal(message.price),
        "stock": message.stock,
        "status": ProductStatus(message.status),
    }


@pytest.fixture
def stub(channel: grpc.Channel) -> Stub:
    return product_pb2_grpc.ProductServiceStub(channel)


@pytest.fixture
def metadata(auth_headers: dict[str, str]) -> Metadata:
    return bearer(auth_headers["Authorization"].removeprefix("Bearer "))


@pytest.fixture
def refs(container: Container) -> dict[str, int]:
    return sample_refs(container)


def create(stub: Stub, metadata: Metadata, fields: dict[str, Any]) -> product_pb2.Product:
    reply: product_pb2.Product = stub.Create(
        product_pb2.CreateProductRequest(**fields),
        metadata=metadata,
    )
    return reply


def test_create_then_get(stub: Stub, metadata: Metadata, refs: dict[str, int]) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    found = stub.Get(product_pb2.GetProductRequest(id=created.id), metadata=metadata)

    assert (found.id, found.created_at, found.updated_at) == (
        created.id,
        created.created_at,
        created.updated_at,
    )
    assert values(found) == values(created) == SAMPLE_A
    assert {name: getattr(found, name) for name in refs} == refs


def test_get_missing_is_not_found(stub: Stub, metadata: Metadata) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stub.Get(product_pb2.GetProductRequest(id=999_999), metadata=metadata)

    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_list_paginates_in_id_order(stub: Stub, metadata: Metadata, refs: dict[str, int]) -> None:
    first = create(stub, metadata, {**PROTO_A, **refs})
    second = create(stub, metadata, {**PROTO_B, **refs})

    page = stub.List(product_pb2.ListProductsRequest(page=2, size=1), metadata=metadata)

    assert [item.id for item in page.items] == [second.id]
    assert (page.total, page.page, page.size) == (2, 2, 1)
    everything = stub.List(product_pb2.ListProductsRequest(), metadata=metadata)
    assert [item.id for item in everything.items] == [first.id, second.id]
    with pytest.raises(grpc.RpcError) as error:
        stub.List(product_pb2.ListProductsRequest(size=101), metadata=metadata)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_update_changes_the_given_fields(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    updated = stub.Update(
        product_pb2.UpdateProductRequest(id=created.id, **{**PROTO_B, **refs}),
        metadata=metadata,
    )

    found = stub.Get(product_pb2.GetProductRequest(id=created.id), metadata=metadata)
    assert values(updated) == values(found) == SAMPLE_B


def test_update_clears_an_optional_field(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    updated = stub.Update(
        product_pb2.UpdateProductRequest(id=created.id, clear=["description"]),
        metadata=metadata,
    )

    assert not updated.HasField("description")
    both = {**PROTO_A, **refs}
    with pytest.raises(grpc.RpcError) as error:
        stub.Update(
            product_pb2.UpdateProductRequest(
                id=created.id,
                clear=["description"],
                description=both["description"],
            ),
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
            product_pb2.UpdateProductRequest(id=created.id, clear=["name"]),
            metadata=metadata,
        )

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "name" in error_details(error.value)["details"]["fields"]


def test_create_without_a_required_field_is_invalid(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    fields = {**PROTO_A, **refs}
    del fields["name"]

    with pytest.raises(grpc.RpcError) as error:
        create(stub, metadata, fields)

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "name" in error_details(error.value)["details"]["fields"]


def test_update_missing_is_not_found(stub: Stub, metadata: Metadata, refs: dict[str, int]) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stub.Update(
            product_pb2.UpdateProductRequest(id=999_999, **{**PROTO_B, **refs}),
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
        stub.Update(product_pb2.UpdateProductRequest(id=created.id), metadata=metadata)

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "at least one field" in str(error_details(error.value)["details"])


def test_delete(stub: Stub, metadata: Metadata, refs: dict[str, int]) -> None:
    created = create(stub, metadata, {**PROTO_A, **refs})

    stub.Delete(product_pb2.DeleteProductRequest(id=created.id), metadata=metadata)

    with pytest.raises(grpc.RpcError) as error:
        stub.Delete(product_pb2.DeleteProductRequest(id=created.id), metadata=metadata)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_invalid_value_is_invalid_argument(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    with pytest.raises(grpc.RpcError) as error:
        create(stub, metadata, {**PROTO_A, **refs, "name": "x" * 81})

    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "name" in error_details(error.value)["details"]["fields"]


def test_duplicate_unique_value_already_exists(
    stub: Stub,
    metadata: Metadata,
    refs: dict[str, int],
) -> None:
    create(stub, metadata, {**PROTO_A, **refs})

    with pytest.raises(grpc.RpcError) as error:
        create(stub, metadata, {**PROTO_B, **refs, "name": PROTO_A["name"]})

    assert error.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_requires_authentication(stub: Stub) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stub.List(product_pb2.ListProductsRequest())

    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
