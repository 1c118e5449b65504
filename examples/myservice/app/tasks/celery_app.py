"""Celery application on Redis; without REDIS_URL tasks run eagerly in-process.

Worker: `celery -A app.tasks.celery_app worker` (needs REDIS_URL). It serves its Prometheus
metrics (`app.tasks.metrics`) on `WORKER_METRICS_PORT`, and traces the tasks it runs while
`OTEL_EXPORTER_OTLP_ENDPOINT` is set.

The broker comes from the settings when the configuration is first read (lazily, so importing
this module reads no settings); `configure_celery` sets it explicitly instead, as the tests do.
Tasks are fire-and-forget: no result backend is configured and results are ignored, so
scheduling a task only needs the broker, and an unreachable broker costs a bounded wait (the
task is then stored in the outbox, which the worker relays: `app.tasks.outbox_relay`).
"""

import sys
import weakref
from typing import Any, cast

from celery import Celery, Task
from celery.signals import setup_logging, task_postrun, task_prerun, worker_init, worker_shutdown
from opentelemetry.sdk.trace import TracerProvider

from app.config.settings import Settings, get_settings, get_settings_or_exit
from app.core.logging import configure_logging, request_id_var
from app.core.metrics import MetricsServer, prepare_multiprocess_dir
from app.core.tracing import tracer_provider
from app.tasks import metrics as _metrics  # noqa: F401 - connects the metrics' signal handlers

TASK_MODULES = ["app.tasks.email_tasks", "app.tasks.outbox_relay"]
TASK_REQUEST_ID_HEADER = "request_id"
"""Message header carrying the id of the request that scheduled a task, for the task's logs."""
MEMORY_BROKER = "memory://localhost/"
CONNECT_TIMEOUT_SECONDS = 2.0

_explicitly_configured: "weakref.WeakSet[Celery]" = weakref.WeakSet()


def create_celery_app() -> Celery:
    """A Celery app with this project's options; its broker is set on first use (see module doc)."""
    app = Celery("app", include=TASK_MODULES)
    app.conf.update(
        # Eager failures stay in the result: scheduling a task never fails the caller.
        task_eager_propagates=False,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_serializer="json",
        accept_content=["json"],
        # Publishing waits at most about a second for an unreachable broker before giving up.
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.25,
            "interval_max": 0.5,
        },
        broker_connection_timeout=CONNECT_TIMEOUT_SECONDS,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": 5,
            "max_retries": 2,
        },
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        timezone="UTC",
    )
    app.on_configure.connect(_configure_from_process_settings, weak=False)
    return app


def configure_celery(app: Celery, settings: Settings) -> None:
    """Use the Redis of `settings` as the broker; without one, run tasks eagerly in-process."""
    _explicitly_configured.add(app)
    _forget_broker_connections(app)
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    app.conf.update(broker_url=redis_url or MEMORY_BROKER, task_always_eager=redis_url is None)


def _forget_broker_connections(app: Celery) -> None:
    """Drop the pools of broker connections and producers (as Celery does after a fork), so
    that the next message goes to the broker configured now, not to the one pooled before."""
    state = cast(Any, app)
    state._pool = None
    if "amqp" in vars(app):
        state.amqp._producer_pool = None


def _configure_from_process_settings(sender: Celery, **_: Any) -> None:
    if sender not in _explicitly_configured:
        configure_celery(sender, get_settings_or_exit())


celery_app = create_celery_app()


@worker_init.connect
def _refuse_a_worker_without_a_broker(sender: Any = None, **_: Any) -> None:
    app: Celery = getattr(sender, "app", None) or celery_app
    if app.conf.task_always_eager:
        print(
            "error: the Celery worker needs REDIS_URL: without it, tasks run eagerly inside the "
            "process that schedules them and a worker would never receive one",
            file=sys.stderr,
        )
        raise SystemExit(1)


_metrics_server: MetricsServer | None = None


def start_worker_metrics(port: int) -> MetricsServer:
    """Serve the tasks' metrics on `port` (0: any free port) until `stop_worker_metrics`."""
    global _metrics_server
    stop_worker_metrics()
    prepare_multiprocess_dir()
    _metrics_server = MetricsServer(port)
    return _metrics_server


def stop_worker_metrics() -> None:
    global _metrics_server
    if _metrics_server is not None:
        _metrics_server.close()
        _metrics_server = None


def trace_celery(provider: TracerProvider) -> None:
    """Trace publishing and running tasks (OpenTelemetry's Celery instrumentation), once."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    instrumentor = CeleryInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)


@worker_init.connect
def _observe_the_worker(**_: Any) -> None:
    settings = get_settings()
    if settings.worker_metrics_port:
        start_worker_metrics(settings.worker_metrics_port)
    provider = tracer_provider(settings)
    if provider is not None:
        trace_celery(provider)


@worker_shutdown.connect
def _stop_observing(**_: Any) -> None:
    stop_worker_metrics()


@setup_logging.connect
def _configure_worker_logging(**_: Any) -> None:
    configure_logging(get_settings())


@task_prerun.connect
def _adopt_request_id(task: Task[Any, Any], **_: Any) -> None:
    request = task.request
    headers = request.headers or {}
    request_id = request.get(TASK_REQUEST_ID_HEADER) or headers.get(TASK_REQUEST_ID_HEADER)
    cast(Any, request).request_id_token = request_id_var.set(request_id)


@task_postrun.connect
def _forget_request_id(task: Task[Any, Any], **_: Any) -> None:
    token = getattr(task.request, "request_id_token", None)
    if token is not None:
        request_id_var.reset(token)
