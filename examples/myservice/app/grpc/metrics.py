"""Prometheus metrics of the gRPC server: calls by method and status, and their latency.

Recorded by `LoggingInterceptor` for every call (a counter and a histogram update: a few
microseconds) and served by `python -m app.grpc.server` on `GRPC_METRICS_PORT`. Names and labels
follow the usual gRPC server metrics (`grpc_server_handled_total`, ...), so existing dashboards
read them.
"""

from typing import Any

import grpc
from prometheus_client import Counter, Histogram

CALLS = Counter(
    "grpc_server_handled_total",
    "gRPC calls completed on the server, by method and status code.",
    ["grpc_service", "grpc_method", "grpc_code"],
)
LATENCY = Histogram(
    "grpc_server_handling_seconds",
    "Time the server took to answer a gRPC call, in seconds.",
    ["grpc_service", "grpc_method"],
)


_Children = tuple[Any, Any]
_children: dict[tuple[str, grpc.StatusCode], _Children] = {}
"""The labelled counter and histogram of each (method, status) seen: bounded by the methods."""


def record_call(method: str, status: grpc.StatusCode, seconds: float) -> None:
    """Count one finished call of `method` (`/package.Service/Method`) and observe its time."""
    children = _children.get((method, status))
    if children is None:
        service, _, name = method.strip("/").partition("/")
        children = (CALLS.labels(service, name, status.name), LATENCY.labels(service, name))
        _children[(method, status)] = children
    calls, latency = children
    calls.inc()
    latency.observe(seconds)
