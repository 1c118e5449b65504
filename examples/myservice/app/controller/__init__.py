"""REST adapter: one flask-smorest blueprint per resource."""

from flask_smorest import Api

# Registration imports are kept in the order resources were added.
# isort: off
from app.controller.health_controller import blp as health_blp
from app.controller.auth_controller import blp as auth_blp
from app.controller.product_controller import blp as product_blp
from app.controller.order_item_controller import blp as order_item_blp
# arcana:blueprint-imports
# isort: on


def register_blueprints(api: Api) -> None:
    api.register_blueprint(health_blp)
    api.register_blueprint(auth_blp)
    api.register_blueprint(product_blp)
    api.register_blueprint(order_item_blp)
    # arcana:blueprints
