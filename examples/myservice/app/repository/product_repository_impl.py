from app.model.product import Product
from app.repository.entity_repository_impl import EntityRepositoryImpl


class ProductRepositoryImpl(EntityRepositoryImpl[Product]):
    """SQLAlchemy repository of products (queries in EntityRepositoryImpl)."""

    entity = Product
    label = "Product"
    human = "product"
