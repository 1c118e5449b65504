"""OpenTelemetry for the REST app: a server span per request, only while tracing is on.

Without a tracer provider nothing is installed, so requests pay nothing for it. With one,
OpenTelemetry's ASGI middleware runs inside `RequestContextMiddleware`, so the request id is
bound when the span starts and the span carries it (`app.core.tracing`). Spans are named after
the route template (`GET /api/v1/products/{product_id}`), as the metrics are.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from starlette.routing import Match
from starlette.types import Scope

EXCLUDED_URLS = "/metrics$"
"""Scrapes are not traced."""

SpanDetails = Callable[[Scope], tuple[str, dict[str, Any]]]


def init_tracing(app: FastAPI, provider: TracerProvider | None) -> None:
    """Call before adding `RequestContextMiddleware` (the middleware added last runs first)."""
    if provider is None:
        return
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app.add_middleware(
        OpenTelemetryMiddleware,
        tracer_provider=provider,
        excluded_urls=EXCLUDED_URLS,
        default_span_details=route_span_details(app),
        exclude_spans=["receive", "send"],
    )


def route_span_details(app: FastAPI) -> SpanDetails:
    """The span name and `http.route` of a request: its method and the route it matches."""

    def details(scope: Scope) -> tuple[str, dict[str, Any]]:
        method = str(scope.get("method", "HTTP"))
        for route in app.router.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                path = str(getattr(route, "path", ""))
                return f"{method} {path}", {"http.route": path}
        return method, {}

    return details
