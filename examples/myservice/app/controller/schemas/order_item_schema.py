"""Order item schemas: REST request validation and the OpenAPI document."""

from marshmallow import Schema, fields, validate

from app.controller.schemas.common import DECIMAL_METADATA, INT32_RANGE, DecimalString
from app.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class OrderItemCreateSchema(Schema):
    product_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    quantity = fields.Integer(required=True, strict=True, validate=INT32_RANGE)
    unit_price = DecimalString(required=True, as_string=True, metadata=DECIMAL_METADATA)
    buyer_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    note = fields.String(allow_none=True)


class OrderItemUpdateSchema(Schema):
    product_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    quantity = fields.Integer(strict=True, validate=INT32_RANGE)
    unit_price = DecimalString(as_string=True, metadata=DECIMAL_METADATA)
    buyer_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    note = fields.String(allow_none=True)


class OrderItemSchema(Schema):
    id = fields.Integer(required=True)
    product_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True)
    unit_price = DecimalString(required=True, as_string=True, metadata=DECIMAL_METADATA)
    buyer_id = fields.Integer(required=True)
    note = fields.String(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class OrderItemPageSchema(Schema):
    items = fields.List(fields.Nested(OrderItemSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)


class OrderItemPageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
    )
