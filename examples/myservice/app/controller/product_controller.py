"""REST endpoints under `/api/v1/products`, behind a bearer token."""

from http import HTTPStatus
from typing import Any

from flask import Response

from app.controller.blueprint import Blueprint
from app.controller.responses import dto_response
from app.controller.schemas.common import UNAUTHORIZED
from app.controller.schemas.error_schema import ErrorSchema
from app.controller.schemas.product_schema import (
    ProductCreateSchema,
    ProductPageQuerySchema,
    ProductPageSchema,
    ProductSchema,
    ProductUpdateSchema,
)
from app.dto.product_dto import ProductCreate, ProductUpdate
from app.dto.validation import parse_dto
from app.middleware.auth import BEARER_AUTH, jwt_required
from app.middleware.container import current_container
from app.service.product_service import ProductService

blp = Blueprint("products", __name__, url_prefix="/api/v1/products", description="Products")


def _service() -> ProductService:
    return current_container().product_service


@blp.route("", methods=["GET"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.arguments(ProductPageQuerySchema, location="query")
@blp.response(HTTPStatus.OK, ProductPageSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
def list_products(query: dict[str, Any]) -> Response:
    """List products ordered by id, a page at a time."""
    return dto_response(_service().list_products(query["page"], query["size"]))


@blp.route("", methods=["POST"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.arguments(ProductCreateSchema)
@blp.response(HTTPStatus.CREATED, ProductSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
@blp.alt_response(HTTPStatus.CONFLICT, schema=ErrorSchema, description="A unique value is taken")
def create_product(payload: dict[str, Any]) -> Response:
    """Create a product."""
    created = _service().create_product(parse_dto(ProductCreate, payload))
    return dto_response(created, HTTPStatus.CREATED)


@blp.route("/<int:product_id>", methods=["GET"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.response(HTTPStatus.OK, ProductSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
@blp.alt_response(HTTPStatus.NOT_FOUND, schema=ErrorSchema, description="No such product")
def get_product(product_id: int) -> Response:
    """Get one product."""
    return dto_response(_service().get_product(product_id))


@blp.route("/<int:product_id>", methods=["PATCH"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.arguments(ProductUpdateSchema)
@blp.response(HTTPStatus.OK, ProductSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
@blp.alt_response(HTTPStatus.NOT_FOUND, schema=ErrorSchema, description="No such product")
@blp.alt_response(HTTPStatus.CONFLICT, schema=ErrorSchema, description="A unique value is taken")
def update_product(payload: dict[str, Any], product_id: int) -> Response:
    """Change the given fields of a product; `null` clears an optional field."""
    updated = _service().update_product(product_id, parse_dto(ProductUpdate, payload))
    return dto_response(updated)


@blp.route("/<int:product_id>", methods=["DELETE"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.response(HTTPStatus.NO_CONTENT)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
@blp.alt_response(HTTPStatus.NOT_FOUND, schema=ErrorSchema, description="No such product")
def delete_product(product_id: int) -> None:
    """Delete a product."""
    _service().delete_product(product_id)
