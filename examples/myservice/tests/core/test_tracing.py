"""Tracing: nothing until an endpoint is set, then one trace from REST through service to SQL."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import Engine

from app.config.settings import Settings
from app.core import tracing
from app.core.tracing import REQUEST_ID_ATTRIBUTE
from app.service.health_service_impl import HealthServiceImpl
from app.wiring import Container, build_container, set_container
from tests.conftest import FAST_PASSWORD_HASHER, isolated_settings, reset_database

SQL_SYSTEMS = {"postgresql", "sqlite"}


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def container(
    settings: Settings, database: Engine, exporter: InMemorySpanExporter
) -> Iterator[Container]:
    """This module's container (and so its REST app) traces into `exporter`."""
    reset_database(database)
    provider = tracing.create_tracer_provider("test", exporter)
    container = build_container(
        settings, password_hasher=FAST_PASSWORD_HASHER, tracer_provider=provider
    )
    set_container(container)
    yield container
    set_container(None)
    container.close()
    provider.shutdown()


def test_without_an_endpoint_nothing_is_traced() -> None:
    settings = isolated_settings()
    assert tracing.tracer_provider(settings) is None
    container = build_container(settings)
    try:
        assert container.tracer_provider is None
        assert isinstance(container.health_service, HealthServiceImpl)
    finally:
        container.close()


def test_an_endpoint_gives_one_provider_per_process() -> None:
    settings = isolated_settings(otel_exporter_otlp_endpoint="http://127.0.0.1:4318")
    provider = tracing.tracer_provider(settings)
    assert provider is not None
    assert tracing.tracer_provider(settings) is provider


def test_a_rest_request_is_one_trace_through_the_service_to_sql(
    client: Any, container: Container, exporter: InMemorySpanExporter
) -> None:
    # `client` is the stack's test client (tests/rest_client.py); every stack's has `get`.
    response = client.get("/health/ready", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 200
    assert container.tracer_provider is not None
    container.tracer_provider.force_flush()
    spans = exporter.get_finished_spans()

    server = only(spans, lambda span: span.kind == SpanKind.SERVER)
    service = only(spans, lambda span: span.name == "health_service.readiness")
    sql = [span for span in spans if span_attribute(span, "db.system") in SQL_SYSTEMS]
    assert sql, [span.name for span in spans]
    assert {span.context.trace_id for span in (server, service, *sql)} == {server.context.trace_id}
    assert service.parent is not None
    assert service.parent.span_id == server.context.span_id
    for statement in sql:
        assert statement.parent is not None
        assert statement.parent.span_id == service.context.span_id
        assert span_attribute(statement, "db.statement") == "SELECT 1"
    for span in (server, service, *sql):
        assert span_attribute(span, REQUEST_ID_ATTRIBUTE) == "trace-me-1", span.name


def only(spans: tuple[ReadableSpan, ...], wanted: Callable[[ReadableSpan], bool]) -> ReadableSpan:
    found = [span for span in spans if wanted(span)]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]


def span_attribute(span: ReadableSpan, name: str) -> object:
    return (span.attributes or {}).get(name)
