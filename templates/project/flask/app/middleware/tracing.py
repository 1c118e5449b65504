"""OpenTelemetry for the REST app: a server span per request, only while tracing is on.

Without a tracer provider nothing is installed, so requests pay nothing for it. With one,
OpenTelemetry's Flask instrumentation starts the span inside the middleware of
`init_request_context`, once it has bound the request id, which the span then carries
(`app.core.tracing`).
"""

from flask import Flask
from opentelemetry.sdk.trace import TracerProvider

EXCLUDED_URLS = "/metrics$"
"""Scrapes are not traced."""


def init_tracing(app: Flask, provider: TracerProvider | None) -> None:
    """Call before `init_request_context`."""
    if provider is None:
        return
    from opentelemetry.instrumentation.flask import FlaskInstrumentor

    FlaskInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)
