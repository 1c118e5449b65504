"""Prometheus request metrics (recorded by `app.middleware.request_context`) and `/metrics`."""

import os

from flask import Flask, Response
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


_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
"""The labelled series of each (method, route, status) seen, so that a request does not look
them up by their labels again."""


UNMATCHED = "<unmatched>"
"""The endpoint label of requests no route matched."""


def init_metrics(app: Flask) -> None:
    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])


def metrics_view() -> Response:
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # Several worker processes (gunicorn, see gunicorn.conf.py): every worker writes its
        # samples to files in that directory, and whichever one serves /metrics adds them up.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    # content_type, not mimetype: CONTENT_TYPE_LATEST already names its charset.
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def record_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Count one answered request of the route `endpoint` and observe its time."""
    key = (method, endpoint, status)
    series = _series.get(key)
    if series is None:
        series = _series[key] = (
            REQUEST_COUNT.labels(method, endpoint, str(status)),
            REQUEST_LATENCY.labels(method, endpoint),
        )
    count, latency = series
    count.inc()
    latency.observe(seconds)
