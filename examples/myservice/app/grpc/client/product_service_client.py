"""The product service over gRPC, for a layered REST process.

It stands in for the service implementation of the monolith, calling
`myservice.v1.ProductService`.
Errors come back as the application errors the gRPC process raised. Get and List are retried on
another process when one is unavailable; Create, Update and Delete are sent once. An id no row can
have is not found here, as in the service: it does not fit the message.
"""

from app.core.pagination import check_page, require_row_id
from app.dto.product_dto import ProductCreate, ProductPage, ProductResponse, ProductUpdate
from app.grpc.client.channel import ChannelPool
from app.grpc.client.messages import (
    dto_values,
    from_message,
    page_from_message,
    to_message,
    to_update_message,
)
from app.grpc.generated.myservice.v1 import product_pb2, product_pb2_grpc

JSON_FIELDS: tuple[str, ...] = ()


class ProductServiceClient:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels
        self._stubs = channels.stubs(product_pb2_grpc.ProductServiceStub)

    def get_product(self, product_id: int) -> ProductResponse:
        require_row_id(product_id, "Product")
        request = product_pb2.GetProductRequest(id=product_id)
        reply = self._channels.call(self._stubs, lambda s: s.Get, request, idempotent=True)
        return from_message(ProductResponse, reply, JSON_FIELDS)

    def list_products(self, page: int, size: int) -> ProductPage:
        check_page(page, size)
        request = product_pb2.ListProductsRequest(page=page, size=size)
        reply = self._channels.call(self._stubs, lambda s: s.List, request, idempotent=True)
        return page_from_message(ProductPage, ProductResponse, reply, JSON_FIELDS)

    def create_product(self, data: ProductCreate) -> ProductResponse:
        request = to_message(product_pb2.CreateProductRequest, dto_values(data), JSON_FIELDS)
        reply = self._channels.call(self._stubs, lambda s: s.Create, request, idempotent=False)
        return from_message(ProductResponse, reply, JSON_FIELDS)

    def update_product(self, product_id: int, data: ProductUpdate) -> ProductResponse:
        require_row_id(product_id, "Product")
        request = to_update_message(
            product_pb2.UpdateProductRequest,
            product_id,
            dto_values(data),
            JSON_FIELDS,
        )
        reply = self._channels.call(self._stubs, lambda s: s.Update, request, idempotent=False)
        return from_message(ProductResponse, reply, JSON_FIELDS)

    def delete_product(self, product_id: int) -> None:
        require_row_id(product_id, "Product")
        request = product_pb2.DeleteProductRequest(id=product_id)
        self._channels.call(self._stubs, lambda s: s.Delete, request, idempotent=False)
