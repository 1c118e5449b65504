"""Enumerations of the product, shared by the entity, the DTOs and the adapters."""

import enum


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"
