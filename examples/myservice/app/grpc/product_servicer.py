"""gRPC adapter of the product service (`product.proto`).

Requests are validated as the same DTOs the REST API uses; responses are built from the DTOs
the service returns. Errors are raised, never answered here: the error interceptor maps them.
"""

from typing import Any

import grpc
from google.protobuf.empty_pb2 import Empty
from google.protobuf.message import Message

from app.core.errors import ValidationFailedError
from app.core.pagination import DEFAULT_PAGE_SIZE
from app.dto.product_dto import ProductCreate, ProductResponse, ProductUpdate
from app.dto.validation import parse_dto
from app.grpc.convert import decimal_text, message_to_dict, to_timestamp
from app.grpc.generated.myservice.v1 import product_pb2, product_pb2_grpc
from app.service.product_service import ProductService


def product_to_proto(product: ProductResponse) -> product_pb2.Product:
    return product_pb2.Product(
        id=product.id,
        name=product.name,
        description=product.description,
        price=decimal_text(product.price),
        stock=product.stock,
        status=str(product.status),
        created_at=to_timestamp(product.created_at),
        updated_at=to_timestamp(product.updated_at),
    )


def _fields(request: Message) -> dict[str, Any]:
    """The fields set in the request as DTO input."""
    return message_to_dict(request)


class ProductServicer(product_pb2_grpc.ProductServiceServicer):
    def __init__(self, product_service: ProductService) -> None:
        self._product_service = product_service

    def Get(
        self,
        request: product_pb2.GetProductRequest,
        context: grpc.ServicerContext,
    ) -> product_pb2.Product:
        return product_to_proto(self._product_service.get_product(request.id))

    def List(
        self,
        request: product_pb2.ListProductsRequest,
        context: grpc.ServicerContext,
    ) -> product_pb2.ListProductsResponse:
        page = self._product_service.list_products(
            request.page or 1,
            request.size or DEFAULT_PAGE_SIZE,
        )
        return product_pb2.ListProductsResponse(
            items=[product_to_proto(item) for item in page.items],
            total=page.total,
            page=page.page,
            size=page.size,
        )

    def Create(
        self,
        request: product_pb2.CreateProductRequest,
        context: grpc.ServicerContext,
    ) -> product_pb2.Product:
        data = parse_dto(ProductCreate, _fields(request))
        return product_to_proto(self._product_service.create_product(data))

    def Update(
        self,
        request: product_pb2.UpdateProductRequest,
        context: grpc.ServicerContext,
    ) -> product_pb2.Product:
        data = _fields(request)
        del data["id"]
        for name in data.pop("clear", []):
            if name in data:
                raise ValidationFailedError.from_fields({name: ["Both set and cleared."]})
            data[name] = None
        changes = parse_dto(ProductUpdate, data)
        return product_to_proto(self._product_service.update_product(request.id, changes))

    def Delete(
        self,
        request: product_pb2.DeleteProductRequest,
        context: grpc.ServicerContext,
    ) -> Empty:
        self._product_service.delete_product(request.id)
        return Empty()
