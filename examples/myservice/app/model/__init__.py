"""Every entity, imported here so `Base.metadata` (and therefore Alembic) sees all tables."""

# Registration imports are kept in the order resources were added.
# isort: off
from app.model.base import Base, TimestampMixin
from app.model.used_refresh_token import UsedRefreshToken
from app.model.user import User
from app.model.task_outbox import TaskOutboxEntry
from app.model.product import Product
from app.model.order_item import OrderItem
# arcana:model-imports
# isort: on

__all__ = [
    "Base",
    "TimestampMixin",
    "User",
    "UsedRefreshToken",
    "TaskOutboxEntry",
    "Product",
    "OrderItem",
    # arcana:model-exports
]
