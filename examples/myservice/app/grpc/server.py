"""The gRPC server: servicers, interceptors, health service, server reflection and metrics.

``python -m app.grpc.server`` serves on ``settings.grpc_port`` (``--port`` overrides) until
SIGTERM or SIGINT, then reports NOT_SERVING and drains in-flight calls before exiting.

Health: the server as a whole (service ``""``) and each application service report SERVING
while the readiness checks (database, cache) pass, re-checked every
``HEALTH_CHECK_INTERVAL_SECONDS``; ``liveness`` reports SERVING for as long as the process
serves at all. Kubernetes probes readiness on ``""`` and liveness on ``liveness``.

Reflection answers as ``grpc.reflection.v1`` and ``v1alpha``. Prometheus metrics (calls by
method and status, latency) are served on ``GRPC_METRICS_PORT``. With
``OTEL_EXPORTER_OTLP_ENDPOINT`` set, every call is traced (a tracing interceptor joins the
others); without it, none is installed.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Sequence
from concurrent import futures
from contextlib import closing
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from app.config.settings import Settings, get_settings, get_settings_or_exit
from app.core.limits import MAX_REQUEST_BYTES
from app.core.logging import configure_logging
from app.core.metrics import MetricsServer, prepare_multiprocess_dir
from app.grpc.interceptors import (
    AuthInterceptor,
    CallInterceptor,
    ErrorInterceptor,
    InterceptorChain,
    LoggingInterceptor,
)
from app.grpc.reflection import SERVICE_NAMES as REFLECTION_SERVICE_NAMES
from app.grpc.reflection import enable_server_reflection
from app.service.health_service import HealthService
from app.wiring import Container, build_container

# Servicers and their generated modules, in the order resources were added.
# isort: off
from app.grpc.auth_servicer import AuthServicer
from app.grpc.generated.myservice.v1 import auth_pb2_grpc
from app.grpc.product_servicer import ProductServicer
from app.grpc.generated.myservice.v1 import product_pb2_grpc
from app.grpc.order_item_servicer import OrderItemServicer
from app.grpc.generated.myservice.v1 import order_item_pb2_grpc
# arcana:servicer-imports
# isort: on

logger = logging.getLogger(__name__)

SERVICE_NAMES: tuple[str, ...] = (
    "myservice.v1.AuthService",
    "myservice.v1.ProductService",
    "myservice.v1.OrderItemService",
    # arcana:service-names
)
"""Full names of the application's services, announced by reflection and the health service."""

PUBLIC_METHODS = frozenset(
    {
        "/myservice.v1.AuthService/Register",
        "/myservice.v1.AuthService/Login",
        "/myservice.v1.AuthService/Refresh",
    }
)
"""Methods callable without a bearer token, besides the health and reflection services."""
PUBLIC_SERVICES = frozenset({health.SERVICE_NAME, *REFLECTION_SERVICE_NAMES})

SHUTDOWN_GRACE_SECONDS = 10.0
HEALTH_CHECK_INTERVAL_SECONDS = 5.0
LIVENESS_SERVICE = "liveness"
"""Health service name that reports SERVING while the process runs, whatever its dependencies."""

_SERVING = health_pb2.HealthCheckResponse.SERVING
_NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def report_readiness(health_servicer: health.HealthServicer, health_service: HealthService) -> bool:
    """Set the server's and every service's health status from one readiness check."""
    try:
        ready = health_service.readiness().status == "ok"
    except Exception:
        logger.exception("Readiness check failed")
        ready = False
    for service in ("", *SERVICE_NAMES):
        health_servicer.set(service, _SERVING if ready else _NOT_SERVING)
    return ready


class HealthMonitor:
    """Re-runs the readiness checks every ``interval`` seconds on a daemon thread until stopped."""

    def __init__(
        self,
        health_servicer: health.HealthServicer,
        health_service: HealthService,
        interval: float = HEALTH_CHECK_INTERVAL_SECONDS,
    ) -> None:
        self._health_servicer = health_servicer
        self._health_service = health_service
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="grpc-health", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        ready: bool | None = None
        while not self._stopped.wait(self._interval):
            now_ready = report_readiness(self._health_servicer, self._health_service)
            if now_ready != ready:
                logger.log(
                    logging.INFO if now_ready else logging.WARNING,
                    "gRPC health: %s",
                    "SERVING" if now_ready else "NOT_SERVING",
                )
            ready = now_ready


def create_server(
    container: Container,
    port: int,
    *,
    host: str = "[::]",
    max_workers: int = 10,
    health_servicer: health.HealthServicer | None = None,
) -> tuple[grpc.Server, int]:
    """A configured, not yet started server bound to ``host:port`` (0 picks a free port)."""
    inner: list[CallInterceptor] = [
        ErrorInterceptor(),
        AuthInterceptor(
            container.auth_service,
            public_methods=PUBLIC_METHODS,
            public_services=PUBLIC_SERVICES,
        ),
    ]
    tracing = _tracing_interceptors(container)
    # Outermost first: logging, OpenTelemetry's span while tracing is on, then errors and auth.
    interceptors = (
        [InterceptorChain(LoggingInterceptor()), *tracing, InterceptorChain(*inner)]
        if tracing
        else [InterceptorChain(LoggingInterceptor(), *inner)]
    )
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"),
        interceptors=interceptors,
        options=[
            # Fail loudly instead of silently sharing a port with another server.
            ("grpc.so_reuseport", 0),
            # The REST bodies' limit: grpcio answers a larger request RESOURCE_EXHAUSTED.
            ("grpc.max_receive_message_length", MAX_REQUEST_BYTES),
        ],
    )

    auth_pb2_grpc.add_AuthServiceServicer_to_server(
        AuthServicer(container.auth_service, container.settings.grpc_trusted_forwarders),
        server,
    )
    product_pb2_grpc.add_ProductServiceServicer_to_server(
        ProductServicer(container.product_service),
        server,
    )
    order_item_pb2_grpc.add_OrderItemServiceServicer_to_server(
        OrderItemServicer(container.order_item_service),
        server,
    )
    # arcana:servicers

    health_servicer = health_servicer or health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    health_servicer.set(LIVENESS_SERVICE, _SERVING)
    report_readiness(health_servicer, container.health_service)
    enable_server_reflection((*SERVICE_NAMES, health.SERVICE_NAME), server)
    return server, server.add_insecure_port(f"{host}:{port}")


def _tracing_interceptors(container: Container) -> list[Any]:
    """OpenTelemetry's server interceptor while tracing is on; nothing otherwise."""
    if container.tracer_provider is None:
        return []
    from opentelemetry.instrumentation.grpc import server_interceptor

    return [server_interceptor(tracer_provider=container.tracer_provider)]


def serve(
    settings: Settings | None = None,
    *,
    port: int | None = None,
    host: str = "[::]",
    stop: threading.Event | None = None,
) -> None:
    """Run the server until ``stop`` is set, then drain calls for ``SHUTDOWN_GRACE_SECONDS``."""
    settings = settings or get_settings()
    stop = stop or threading.Event()
    health_servicer = health.HealthServicer()
    with closing(build_container(settings)) as container:
        server, bound_port = create_server(
            container,
            settings.grpc_port if port is None else port,
            host=host,
            health_servicer=health_servicer,
        )
        monitor = HealthMonitor(health_servicer, container.health_service)
        metrics: MetricsServer | None = None
        if settings.grpc_metrics_port:
            prepare_multiprocess_dir()
            metrics = MetricsServer(settings.grpc_metrics_port, host=metrics_host(host))
            logger.info("gRPC metrics on port %d (/metrics)", metrics.port)
        server.start()
        monitor.start()
        logger.info("gRPC server listening on %s:%d", host, bound_port)
        try:
            # Wake up regularly: a signal delivered to one of gRPC's threads only runs its
            # Python handler once the main thread executes bytecode again.
            while not stop.wait(timeout=0.5):
                pass
        finally:
            logger.info("gRPC server shutting down")
            monitor.stop()
            health_servicer.enter_graceful_shutdown()
            server.stop(SHUTDOWN_GRACE_SECONDS).wait()
            if metrics is not None:
                metrics.close()


def metrics_host(grpc_host: str) -> str:
    """The metrics server's interface for gRPC's ``--host`` (``[::]``: every IPv4 interface)."""
    return "0.0.0.0" if grpc_host == "[::]" else grpc_host.strip("[]")  # noqa: S104


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.grpc.server", description=__doc__)
    parser.add_argument("--host", default="[::]", help="interface to bind (default: all)")
    parser.add_argument("--port", type=int, help="port to bind (default: GRPC_PORT setting)")
    args = parser.parse_args(argv)

    settings = get_settings_or_exit()
    configure_logging(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    serve(settings, port=args.port, host=args.host, stop=stop)


if __name__ == "__main__":
    main()
