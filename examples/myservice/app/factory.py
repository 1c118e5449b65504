"""REST application factory."""

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_smorest import Api

from app.controller import register_blueprints
from app.controller.schemas.error_schema import ErrorSchema
from app.core.limits import MAX_REQUEST_BYTES
from app.core.logging import configure_logging
from app.middleware.api_docs import SWAGGER_UI_URL, init_api_docs
from app.middleware.container import init_container
from app.middleware.error_handlers import register_error_handlers
from app.middleware.hardening import init_hardening
from app.middleware.json_body import init_json_body_guard
from app.middleware.metrics import init_metrics
from app.middleware.request_context import init_request_context
from app.middleware.tracing import init_tracing
from app.wiring import Container, get_container


class RestApi(Api):
    ERROR_SCHEMA = ErrorSchema


class RestApp(Flask):
    """Flask, asking once per hook and view whether it is a coroutine, not on every request
    (Flask's `ensure_sync` inspects each of the request's dozen hooks and its view again)."""

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self._sync_functions: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        sync = self._sync_functions.get(func)
        if sync is None:
            sync = self._sync_functions[func] = super().ensure_sync(func)
        return sync


def create_app(container: Container | None = None) -> Flask:
    container = container or get_container()
    configure_logging(container.settings)

    app = RestApp(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config.from_mapping(
        API_TITLE="Myservice",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_URL,
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                }
            }
        },
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    init_container(app, container)
    init_tracing(app, container.tracer_provider)
    init_metrics(app)
    init_hardening(app)
    api = RestApi(app)
    init_api_docs(app)
    register_blueprints(api)
    register_error_handlers(app)
    init_json_body_guard(app)
    init_request_context(app)
    return app
