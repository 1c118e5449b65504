"""Marshmallow schemas: REST request validation and the OpenAPI document."""
