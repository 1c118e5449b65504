from app.core.errors import NotFoundError
from app.core.pagination import check_page, require_row_id
from app.dto.product_dto import ProductCreate, ProductPage, ProductResponse, ProductUpdate
from app.model.product import Product
from app.repository.cache_repository import CacheRepository
from app.repository.product_repository import ProductRepository
from app.service.model_cache import ModelCache, cache_key


def product_cache_key(product_id: int) -> str:
    return cache_key("product", ProductResponse, product_id)


class ProductServiceImpl:
    def __init__(
        self,
        repository: ProductRepository,
        cache: CacheRepository,
        cache_ttl_seconds: int,
    ) -> None:
        self._repository = repository
        self._cached = ModelCache(cache, "product", ProductResponse, cache_ttl_seconds)

    def get_product(self, product_id: int) -> ProductResponse:
        cached = self._cached.get(product_id)
        if cached is not None:
            return cached
        response = ProductResponse.model_validate(self._require(product_id))
        self._cached.put(product_id, response)
        return response

    def list_products(self, page: int, size: int) -> ProductPage:
        check_page(page, size)
        rows, total = self._repository.list_page(page, size)
        items = [ProductResponse.model_validate(row) for row in rows]
        return ProductPage(items=items, total=total, page=page, size=size)

    def create_product(self, data: ProductCreate) -> ProductResponse:
        # The database's constraints decide (unique values, references): one round trip.
        product = self._repository.add(Product(**data.model_dump()))
        return ProductResponse.model_validate(product)

    def update_product(self, product_id: int, data: ProductUpdate) -> ProductResponse:
        require_row_id(product_id, "Product")
        changes = data.changes()
        self._cached.invalidate_before_write(product_id)
        product = self._repository.update(product_id, changes)
        self._cached.invalidate_after_write(product_id)
        if product is None:
            raise NotFoundError("Product not found", {"id": product_id})
        return ProductResponse.model_validate(product)

    def delete_product(self, product_id: int) -> None:
        require_row_id(product_id, "Product")
        self._cached.invalidate_before_write(product_id)
        deleted = self._repository.delete(product_id)
        self._cached.invalidate_after_write(product_id)
        if not deleted:
            raise NotFoundError("Product not found", {"id": product_id})

    def _require(self, product_id: int) -> Product:
        require_row_id(product_id, "Product")
        product = self._repository.get_by_id(product_id)
        if product is None:
            raise NotFoundError("Product not found", {"id": product_id})
        return product
