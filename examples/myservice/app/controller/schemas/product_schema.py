"""Product schemas: REST request validation and the OpenAPI document."""

from marshmallow import Schema, fields, validate

from app.controller.schemas.common import DECIMAL_METADATA, INT32_RANGE, DecimalString
from app.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.domain import enum_values
from app.domain.product import ProductStatus


class ProductCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(max=80))
    description = fields.String(allow_none=True)
    price = DecimalString(required=True, as_string=True, metadata=DECIMAL_METADATA)
    stock = fields.Integer(required=True, strict=True, validate=INT32_RANGE)
    status = fields.String(required=True, validate=validate.OneOf(enum_values(ProductStatus)))


class ProductUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(max=80))
    description = fields.String(allow_none=True)
    price = DecimalString(as_string=True, metadata=DECIMAL_METADATA)
    stock = fields.Integer(strict=True, validate=INT32_RANGE)
    status = fields.String(validate=validate.OneOf(enum_values(ProductStatus)))


class ProductSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    price = DecimalString(required=True, as_string=True, metadata=DECIMAL_METADATA)
    stock = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(enum_values(ProductStatus)))
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class ProductPageSchema(Schema):
    items = fields.List(fields.Nested(ProductSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    size = fields.Integer(required=True)


class ProductPageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
    )
