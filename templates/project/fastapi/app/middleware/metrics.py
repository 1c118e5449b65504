"""Prometheus request metrics and the `/metrics` endpoint."""

import os

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_COUNT = Counter(
    "http_requests_total", "HTTP requests handled.", ["method", "endpoint", "status"]
)
REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency in seconds.", ["method", "endpoint"]
)
UNMATCHED = "<unmatched>"


def init_metrics(app: FastAPI) -> None:
    app.add_api_route("/metrics", metrics_view, methods=["GET"], include_in_schema=False)


def metrics_view() -> Response:
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # Several worker processes (gunicorn, see gunicorn.conf.py): every worker writes its
        # samples to files in that directory, and whichever one serves /metrics adds them up.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


def record_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Count one request; `endpoint` is the route template, which keeps cardinality bounded."""
    REQUEST_COUNT.labels(method, endpoint, str(status)).inc()
    REQUEST_LATENCY.labels(method, endpoint).observe(seconds)
