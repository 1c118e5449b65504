"""What each REST stack's middleware records of a request it answered: the request metrics and
one structured log line (logger `app.request`), the same series and fields on both stacks."""

import logging

from prometheus_client import Counter, Histogram

from app.core.logging import log_fields

logger = logging.getLogger("app.request")

REQUEST_COUNT = Counter(
    "http_requests_total", "HTTP requests handled.", ["method", "endpoint", "status"]
)
REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency in seconds.", ["method", "endpoint"]
)
UNMATCHED = "<unmatched>"
"""The endpoint label of requests no route matched."""

_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
"""The labelled series of each (method, route, status) seen, so that a request does not look
them up by their labels again."""


def record_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Count one answered request and observe its time; `endpoint` is the route template, not
    the raw path, which keeps the label cardinality bounded."""
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


def request_lines_enabled() -> bool:
    """Whether `log_request` would write anything: nothing is built for a line nobody writes."""
    return logger.isEnabledFor(logging.INFO)


def log_request(method: str, path: str, status: int, duration_ms: float, request_id: str) -> None:
    log_fields(
        logger,
        f"{method} {path} {status}",
        {
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "request_id": request_id,
        },
    )
