"""The `/metrics` endpoint; the request metrics are recorded by `app.middleware.request_context`
(series in `app.core.http_requests`)."""

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.core.metrics import metrics_registry


def init_metrics(app: FastAPI) -> None:
    app.add_api_route("/metrics", metrics_view, methods=["GET"], include_in_schema=False)


def metrics_view() -> Response:
    # With several worker processes (gunicorn, see gunicorn.conf.py), whichever one serves
    # /metrics adds up the samples every worker wrote.
    return Response(
        generate_latest(metrics_registry()), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )
