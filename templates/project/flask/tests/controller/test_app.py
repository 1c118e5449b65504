import importlib
import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.factory import create_app
from app.middleware.request_context import REQUEST_ID_HEADER
from app.wiring import Container, get_container, set_container


def test_unknown_routes_are_json_404(client: FlaskClient) -> None:
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["code"] == "NOT_FOUND"


def test_wrong_methods_are_json_405(client: FlaskClient) -> None:
    response = client.delete("/health/live")
    assert response.status_code == 405
    assert response.get_json()["code"] == "METHOD_NOT_ALLOWED"


def test_unexpected_errors_are_logged_and_hidden(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(container)

    def explode() -> str:
        raise RuntimeError("database password is hunter2")

    app.add_url_rule("/explode", "explode", explode)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/explode")
    assert response.status_code == 500
    assert response.get_json() == {
        "code": "INTERNAL_ERROR",
        "message": "Internal server error",
        "details": {},
    }
    assert "hunter2" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert any(record.exc_info for record in caplog.records if "Unhandled" in record.message)


def test_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/health/live", headers={REQUEST_ID_HEADER: "abc-123"})
    assert response.headers[REQUEST_ID_HEADER] == "abc-123"


@pytest.mark.parametrize("incoming", [None, "", "x" * 129, "bad id <script>"])
def test_request_id_is_generated_when_missing_or_unsafe(
    client: FlaskClient, incoming: str | None
) -> None:
    headers = {REQUEST_ID_HEADER: incoming} if incoming is not None else {}
    response = client.get("/health/live", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers[REQUEST_ID_HEADER])


def test_contexts_without_a_request_cycle_tear_down_cleanly(app: Flask) -> None:
    with app.test_request_context("/health/live"):
        pass


def test_each_request_is_logged_with_its_id(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.request"):
        client.get("/health/live", headers={REQUEST_ID_HEADER: "trace-me"})
    record = next(r for r in caplog.records if r.name == "app.request")
    assert record.getMessage() == "GET /health/live 200"
    assert record.__dict__["status"] == 200
    assert record.__dict__["duration_ms"] >= 0
    assert record.__dict__["request_id"] == "trace-me"


def test_metrics_count_requests_by_route(client: FlaskClient) -> None:
    client.get("/health/live")
    client.get("/no/such/route")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'http_requests_total{endpoint="/health/live",method="GET",status="200"}' in body
    assert 'endpoint="<unmatched>"' in body
    assert "http_request_duration_seconds_bucket" in body


def test_metrics_aggregate_worker_processes_in_multiprocess_mode(
    client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "python_gc_objects_collected_total" not in response.get_data(as_text=True)


def test_openapi_document_is_generated_from_the_schemas(client: FlaskClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["info"]["version"] == "v1"
    paths = spec["paths"]
    for path in ("/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh"):
        assert "post" in paths[path]
    register = paths["/api/v1/auth/register"]["post"]
    assert set(register["responses"]) >= {"201", "409", "422"}
    schema_ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
    assert set(schema["required"]) == {"email", "password", "full_name"}
    assert schema["properties"]["password"]["minLength"] == 8
    assert paths["/api/v1/auth/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "details"}


def test_docs_ui_is_served(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.get_data(as_text=True)


def test_wsgi_app_uses_the_process_container(container: Container) -> None:
    import app.wsgi

    module = importlib.reload(app.wsgi)
    assert isinstance(module.app, Flask)
    assert module.app.extensions["container"] is container


def test_process_container_is_built_once_on_demand(container: Container) -> None:
    set_container(None)
    built = get_container()
    try:
        assert get_container() is built
        assert built is not container
    finally:
        built.close()
        set_container(container)
