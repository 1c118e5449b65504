"""OpenTelemetry tracing, off until `OTEL_EXPORTER_OTLP_ENDPOINT` is set.

Off, nothing is instrumented: no span is created and no hook runs, so tracing costs nothing per
request. On, `app.wiring.build_container` gets a tracer provider that exports over OTLP/HTTP,
and with it each adapter instruments itself: the REST app (a server span per request), the gRPC
server (an interceptor), the Celery tasks, the Redis client, the SQL statements of the engine
and every call into the service layer (`trace_services`). Every span started while a request
is served carries its request id as `request.id`, the one in the logs and the `X-Request-ID`
header.
"""

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from sqlalchemy import Engine, event

from app.config.settings import Settings
from app.core.logging import request_id_var

REQUEST_ID_ATTRIBUTE = "request.id"
INSTRUMENTATION_NAME = "app"

T = TypeVar("T")

_providers: dict[tuple[str, str], TracerProvider] = {}


class RequestIdSpanProcessor(SpanProcessor):
    """Stamps each span with the id of the request being served, when there is one."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        request_id = request_id_var.get()
        if request_id is not None:
            span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)


def create_tracer_provider(service_name: str, exporter: SpanExporter) -> TracerProvider:
    """A provider exporting in batches to `exporter`, its spans stamped with request ids."""
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(RequestIdSpanProcessor())
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def tracer_provider(settings: Settings) -> TracerProvider | None:
    """The process's provider for `settings` (one per endpoint), or None while tracing is off."""
    endpoint = settings.otel_exporter_otlp_endpoint.strip()
    if not endpoint:
        return None
    key = (endpoint, settings.otel_service_name)
    if key not in _providers:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
        _providers[key] = create_tracer_provider(settings.otel_service_name, exporter)
    return _providers[key]


def instrument_engine(engine: Engine, provider: TracerProvider) -> None:
    """A client span around every SQL statement `engine` executes."""
    tracer = provider.get_tracer(INSTRUMENTATION_NAME)
    system = engine.dialect.name

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        name = statement.split(None, 1)[0].upper() if statement.strip() else "SQL"
        span = tracer.start_span(
            name,
            kind=trace.SpanKind.CLIENT,
            attributes={"db.system": system, "db.statement": statement},
        )
        conn.info.setdefault("otel_spans", []).append(span)

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn: Any, *_: Any) -> None:
        spans = conn.info.get("otel_spans")
        if spans:
            spans.pop().end()

    @event.listens_for(engine, "handle_error")
    def _fail(context: Any) -> None:
        spans = context.connection.info.get("otel_spans") if context.connection else None
        if spans:
            span = spans.pop()
            span.record_exception(context.original_exception)
            span.set_status(trace.Status(trace.StatusCode.ERROR))
            span.end()


def traced_service(service: T, name: str, provider: TracerProvider) -> T:
    """`service` with a span around each call of its public methods (`name.method`)."""
    return cast(T, _TracedService(service, name, provider.get_tracer(INSTRUMENTATION_NAME)))


def trace_services(container: Any, provider: TracerProvider) -> None:
    """Replaces every `*_service` field of the dataclass `container` with a traced one."""
    for field in dataclasses.fields(container):
        if field.name.endswith("_service"):
            service = getattr(container, field.name)
            setattr(container, field.name, traced_service(service, field.name, provider))


class _TracedService:
    def __init__(self, target: Any, name: str, tracer: trace.Tracer) -> None:
        self._target = target
        self._name = name
        self._tracer = tracer

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._target, attribute)
        if attribute.startswith("_") or not callable(value):
            return value
        return self._traced(value, f"{self._name}.{attribute}")

    def _traced(self, method: Callable[..., Any], span_name: str) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._tracer.start_as_current_span(span_name):
                return method(*args, **kwargs)

        return call
