"""One resource in `make bench`, chosen with `--resource` and this name:
product
"""

from collections.abc import Mapping
from typing import Any

from app.dto.product_dto import ProductCreate
from app.grpc.client.messages import dto_values, to_message
from app.grpc.generated.myservice.v1 import product_pb2, product_pb2_grpc
from app.service.product_service_impl import product_cache_key
from app.wiring import Container
from bench.spec import ResourceSpec
from tests.fakes.product_samples import JSON_A, JSON_B, sample_refs

JSON_FIELDS: tuple[str, ...] = ()


def payloads(container: Container) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    refs = sample_refs(container)
    return {**JSON_A, **refs}, {**JSON_B, **refs}


def create_request(body: Mapping[str, Any]) -> product_pb2.CreateProductRequest:
    values = dto_values(ProductCreate.model_validate(body))
    return to_message(product_pb2.CreateProductRequest, values, JSON_FIELDS)


RESOURCE = ResourceSpec(
    name="product",
    path="/api/v1/products",
    payloads=payloads,
    cache_key=product_cache_key,
    stub=product_pb2_grpc.ProductServiceStub,
    get_request=lambda id_: product_pb2.GetProductRequest(id=id_),
    list_request=lambda page, size: product_pb2.ListProductsRequest(page=page, size=size),
    create_request=create_request,
)
