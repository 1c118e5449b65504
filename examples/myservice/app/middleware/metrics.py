"""The `/metrics` endpoint; the request metrics are recorded by `app.middleware.request_context`
(series in `app.core.http_requests`)."""

from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.core.metrics import metrics_registry


def init_metrics(app: Flask) -> None:
    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])


def metrics_view() -> Response:
    # With several worker processes (gunicorn, see gunicorn.conf.py), whichever one serves
    # /metrics adds up the samples every worker wrote.
    # content_type, not mimetype: CONTENT_TYPE_LATEST already names its charset.
    return Response(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
