"""Prometheus: the registry a process exposes, and `/metrics` for processes without HTTP.

The REST server answers `/metrics` itself; the gRPC server and the Celery worker serve their
samples on a port of their own (`GRPC_METRICS_PORT`, `WORKER_METRICS_PORT`; 0 turns it off).
Where several processes of one server record samples (the REST server's workers, Celery's
prefork pool), `PROMETHEUS_MULTIPROC_DIR` names the directory they share, and the exposed
registry adds them up.
"""

import os
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def metrics_registry() -> CollectorRegistry:
    """The registry to expose: this process's, or every process's in multiprocess mode."""
    if MULTIPROC_DIR_VARIABLE not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def prepare_multiprocess_dir() -> None:
    """In multiprocess mode: create the directory and drop samples left by an earlier run."""
    directory = os.environ.get(MULTIPROC_DIR_VARIABLE)
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)


class MetricsServer:
    """`/metrics` (any path, in fact) over HTTP on a daemon thread; `port` is the bound port."""

    def __init__(self, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104 - scraped from outside
        self._server: WSGIServer
        self._thread: threading.Thread
        self._server, self._thread = start_http_server(port, host, registry=metrics_registry())
        self.port: int = self._server.server_port

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
