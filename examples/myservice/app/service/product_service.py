from typing import Protocol

from app.dto.product_dto import ProductCreate, ProductPage, ProductResponse, ProductUpdate


class ProductService(Protocol):
    def get_product(self, product_id: int) -> ProductResponse:
        """The product (read-through cached); NotFoundError if there is none."""
        ...

    def list_products(self, page: int, size: int) -> ProductPage:
        """A page of products ordered by id, with the total count."""
        ...

    def create_product(self, data: ProductCreate) -> ProductResponse:
        """Create a product; ConflictError, ValidationFailedError (references)."""
        ...

    def update_product(self, product_id: int, data: ProductUpdate) -> ProductResponse:
        """Change the fields present in `data`; NotFoundError, ConflictError."""
        ...

    def delete_product(self, product_id: int) -> None:
        """Delete the product; NotFoundError if there is none."""
        ...
