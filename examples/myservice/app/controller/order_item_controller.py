"""REST endpoints under `/api/v1/order-items`, behind a bearer token."""

from http import HTTPStatus
from typing import Any

from flask import Response

from app.controller.blueprint import Blueprint
from app.controller.responses import dto_response
from app.controller.schemas.common import UNAUTHORIZED
from app.controller.schemas.error_schema import ErrorSchema
from app.controller.schemas.order_item_schema import (
    OrderItemCreateSchema,
    OrderItemPageQuerySchema,
    OrderItemPageSchema,
    OrderItemSchema,
    OrderItemUpdateSchema,
)
from app.dto.order_item_dto import OrderItemCreate, OrderItemUpdate
from app.dto.validation import parse_dto
from app.middleware.auth import BEARER_AUTH, jwt_required
from app.middleware.container import current_container
from app.service.order_item_service import OrderItemService

blp = Blueprint(
    "order_items",
    __name__,
    url_prefix="/api/v1/order-items",
    description="Order items",
)


def _service() -> OrderItemService:
    return current_container().order_item_service


@blp.route("", methods=["GET"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.arguments(OrderItemPageQuerySchema, location="query")
@blp.response(HTTPStatus.OK, OrderItemPageSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
def list_order_items(query: dict[str, Any]) -> Response:
    """List order items ordered by id, a page at a time."""
    return dto_response(_service().list_order_items(query["page"], query["size"]))


@blp.route("", methods=["POST"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.arguments(OrderItemCreateSchema)
@blp.response(HTTPStatus.CREATED, OrderItemSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
def create_order_item(payload: dict[str, Any]) -> Response:
    """Create an order item."""
    created = _service().create_order_item(parse_dto(OrderItemCreate, payload))
    return dto_response(created, HTTPStatus.CREATED)


@blp.route("/<int:order_item_id>", methods=["GET"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.response(HTTPStatus.OK, OrderItemSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
@blp.alt_response(HTTPStatus.NOT_FOUND, schema=ErrorSchema, description="No such order item")
def get_order_item(order_item_id: int) -> Response:
    """Get one order item."""
    return dto_response(_service().get_order_item(order_item_id))


@blp.route("/<int:order_item_id>", methods=["PATCH"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.arguments(OrderItemUpdateSchema)
@blp.response(HTTPStatus.OK, OrderItemSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
@blp.alt_response(HTTPStatus.NOT_FOUND, schema=ErrorSchema, description="No such order item")
def update_order_item(payload: dict[str, Any], order_item_id: int) -> Response:
    """Change the given fields of an order item; `null` clears an optional field."""
    updated = _service().update_order_item(order_item_id, parse_dto(OrderItemUpdate, payload))
    return dto_response(updated)


@blp.route("/<int:order_item_id>", methods=["DELETE"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.response(HTTPStatus.NO_CONTENT)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description=UNAUTHORIZED)
@blp.alt_response(HTTPStatus.NOT_FOUND, schema=ErrorSchema, description="No such order item")
def delete_order_item(order_item_id: int) -> None:
    """Delete an order item."""
    _service().delete_order_item(order_item_id)
