import dataclasses
import importlib
import io
import json
import logging
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from unittest.mock import create_autospec

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_smorest import abort
from gunicorn.app.base import BaseApplication
from gunicorn.config import Config as GunicornConfig
from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.http.errors import (
    InvalidChunkSize,
    InvalidHeaderName,
    InvalidRequestLine,
    LimitRequestHeaders,
    LimitRequestLine,
)
from marshmallow import Schema, fields
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from werkzeug.exceptions import TooManyRequests
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app.config.settings import Settings
from app.controller.blueprint import Blueprint
from app.core.errors import ErrorCode
from app.core.limits import MAX_REQUEST_BYTES
from app.core.logging import request_id_var
from app.core.query_input import REPEATED_PARAMETER
from app.factory import create_app
from app.middleware.error_handlers import STATUS_BY_CODE
from app.middleware.gunicorn_worker import JsonErrorSyncWorker
from app.middleware.request_context import REQUEST_ID_HEADER
from app.repository.database import create_db_engine, create_session_factory
from app.wiring import Container, get_container, set_container
from tests.conftest import process_env
from tests.fakes.user_samples import REQUIRED_FIELDS


def test_answers_carry_security_headers_and_api_answers_are_not_stored(
    client: FlaskClient,
) -> None:
    page = client.get("/health/live")
    api = client.get("/api/v1/does-not-exist")

    for response in (page, api):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert api.status_code == 404
    assert api.headers["Cache-Control"] == "no-store"
    assert api.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "Content-Security-Policy" not in page.headers


def test_unknown_routes_are_json_404(client: FlaskClient) -> None:
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["code"] == "NOT_FOUND"


def test_wrong_methods_are_json_405_with_the_allowed_methods(client: FlaskClient) -> None:
    response = client.delete("/health/live")
    assert response.status_code == 405
    assert response.get_json()["code"] == "METHOD_NOT_ALLOWED"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.content_type == "application/json"
    assert response.content_length == len(response.get_data())


def test_error_headers_survive_the_json_body(container: Container) -> None:
    app = create_app(container)

    def throttled() -> str:
        raise TooManyRequests(retry_after=30)

    def maintenance() -> str:
        abort(503, message="Down for maintenance", headers={"X-Maintenance": "until 18:00"})

    app.add_url_rule("/throttled", "throttled", throttled)
    app.add_url_rule("/maintenance", "maintenance", maintenance)
    client = app.test_client()

    response = client.get("/throttled")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["code"] == "TOO_MANY_REQUESTS"
    response = client.get("/maintenance")
    assert response.status_code == 503
    assert response.headers["X-Maintenance"] == "until 18:00"
    assert response.content_type == "application/json"


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


def test_every_error_code_has_a_status() -> None:
    assert set(STATUS_BY_CODE) == set(ErrorCode)


def test_an_unreachable_database_answers_503_with_the_json_body(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    # Nothing listens on port 1: the connection is refused at once.
    engine = create_db_engine("postgresql+psycopg://postgres@127.0.0.1:1/absent")
    down = dataclasses.replace(
        container, engine=engine, session_factory=create_session_factory(engine)
    )
    app = create_app(down)

    def read() -> str:
        with down.sessions()() as session:
            session.execute(text("SELECT 1"))
        return "unreachable"

    app.add_url_rule("/read", "read", read)
    with caplog.at_level(logging.WARNING):
        response = app.test_client().get("/read")
    engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {
        "code": "UNAVAILABLE",
        "message": "The database is unavailable, try again shortly",
        "details": {},
    }
    assert response.headers["Retry-After"] == "1"
    assert not any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize(
    "body",
    [
        '{"a": NaN}',
        '{"a": 1e400}',
        '{"a": ' + "9" * 5000 + "}",
        "[" * 5000 + "]" * 5000,
        '{"a": ',
    ],
    ids=["nan", "overflow", "huge-int", "deep", "cut"],
)
def test_unacceptable_json_bodies_are_422_without_a_traceback(
    container: Container, caplog: pytest.LogCaptureFixture, body: str
) -> None:
    app = create_app(container)
    app.add_url_rule("/echo", "echo", lambda: "read", methods=["POST"])
    with caplog.at_level(logging.INFO):
        response = app.test_client().post(
            "/echo", data=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["code"] == "VALIDATION_FAILED"
    assert answer["details"]["fields"]["_schema"][0].startswith("Invalid JSON body: ")
    assert not any(record.exc_info for record in caplog.records)


class _TaggedQuerySchema(Schema):
    page = fields.Integer(required=True)
    tags = fields.List(fields.String(), load_default=list)


def test_a_single_value_query_parameter_may_not_repeat(container: Container) -> None:
    app = create_app(container)
    blp = Blueprint("tagged", __name__)

    @blp.route("/tagged")
    @blp.arguments(_TaggedQuerySchema, location="query")
    def tagged(query: dict[str, Any]) -> dict[str, int]:
        return {"count": query["page"] + len(query["tags"])}

    app.register_blueprint(blp)
    client = app.test_client()

    assert client.get("/tagged?page=1&tags=a&tags=b").get_json() == {"count": 3}
    response = client.get("/tagged?page=1&page=2&tags=a")
    assert response.status_code == 422
    assert response.get_json()["details"]["fields"] == {"page": [REPEATED_PARAMETER]}


def test_bodies_beyond_the_limit_are_json_413(container: Container) -> None:
    app = create_app(container)
    app.add_url_rule("/echo", "echo", lambda: "read", methods=["POST"])
    client = app.test_client()
    headers = {"Content-Type": "application/json"}

    response = client.post("/echo", data=b"1" * (MAX_REQUEST_BYTES + 1), headers=headers)
    assert response.status_code == 413
    assert response.get_json()["code"] == "REQUEST_ENTITY_TOO_LARGE"
    fits = b'"' + b"x" * (MAX_REQUEST_BYTES - 2) + b'"'
    assert client.post("/echo", data=fits, headers=headers).status_code == 200


def _post_chunked(app: Flask, body: io.IOBase) -> tuple[str, Any]:
    """POST `body` as gunicorn hands a chunked body to the app: no length, terminated input."""
    environ = EnvironBuilder(
        path="/echo", method="POST", content_type="application/json"
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": body, "wsgi.input_terminated": True})
    chunks, status, _ = run_wsgi_app(app, environ)
    answer = b"".join(chunks)
    return status, json.loads(answer) if status[0] == "4" else answer


def test_chunked_bodies_beyond_the_limit_are_json_413(container: Container) -> None:
    app = create_app(container)
    app.add_url_rule("/echo", "echo", lambda: "read", methods=["POST"])
    # A JSON value that ends within the limit: werkzeug alone would read it and stop there.
    body = b'"' + b"x" * (MAX_REQUEST_BYTES - 2) + b'"' + b" " * 10

    status, answer = _post_chunked(app, io.BytesIO(body))
    assert status.startswith("413")
    assert answer["code"] == "REQUEST_ENTITY_TOO_LARGE"
    assert _post_chunked(app, io.BytesIO(body[:MAX_REQUEST_BYTES])) == ("200 OK", b"read")


class _MalformedChunks(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise InvalidChunkSize(b"zz")


def test_a_malformed_chunked_body_is_json_400_without_a_traceback(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(container)
    app.add_url_rule("/echo", "echo", lambda: "read", methods=["POST"])
    with caplog.at_level(logging.INFO):
        status, answer = _post_chunked(app, _MalformedChunks())
    assert status.startswith("400")
    assert answer["code"] == "VALIDATION_FAILED"
    assert not any(record.exc_info for record in caplog.records)


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
    token = request_id_var.set("outside")
    try:
        with app.test_request_context("/health/live"):
            assert "request_id" not in g  # before_request never ran
        # The teardown found no request id of its own to undo and left the outer one alone.
        assert request_id_var.get() == "outside"
    finally:
        request_id_var.reset(token)


def test_each_request_is_logged_with_its_id(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.request"):
        response = client.get("/health/live", headers={REQUEST_ID_HEADER: "trace-me"})
        # Written once the server closes the answer, after sending it.
        assert not [r for r in caplog.records if r.name == "app.request"]
        response.close()
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


def test_metrics_read_the_worker_files_in_multiprocess_mode(
    client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    assert "python_gc_objects_collected_total" not in response.get_data(as_text=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as it is; the answer's status, headers and body, read until it closes."""
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    fields = (line.partition(":") for line in lines)
    headers = {name.strip().lower(): value.strip() for name, _, value in fields}
    return int(status_line.split(" ")[1]), headers, body


BAD_REQUESTS = [
    (b"NOT A REQUEST LINE\r\n\r\n", 400, "VALIDATION_FAILED"),
    (b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, "VALIDATION_FAILED"),
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 414, "REQUEST_URI_TOO_LONG"),
    (b"GET / HTTP/1.1\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n", 431, "REQUEST_HEADER_FIELDS_TOO_LARGE"),
]
"""Requests gunicorn rejects itself (over its default limits: a 4094-byte request line, 100
header fields), the status it answers and the `code` of the JSON body."""


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvalidRequestLine("NOT A REQUEST LINE"), 400, "VALIDATION_FAILED"),
        (InvalidHeaderName("Bad Name"), 400, "VALIDATION_FAILED"),
        (LimitRequestLine(5000, 4094), 414, "REQUEST_URI_TOO_LONG"),
        (
            LimitRequestHeaders("limit request headers fields"),
            431,
            "REQUEST_HEADER_FIELDS_TOO_LARGE",
        ),
        (RuntimeError("not the client's fault"), 500, "INTERNAL_ERROR"),
    ],
)
def test_gunicorn_worker_answers_what_gunicorn_rejects_with_the_json_error_body(
    error: Exception, status: int, code: str
) -> None:
    config = GunicornConfig()
    application = create_autospec(BaseApplication, instance=True)  # the worker does not run it
    worker = JsonErrorSyncWorker(0, 0, [], application, 30, config, GunicornLogger(config))
    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        worker.handle_error(None, server_side, ("127.0.0.1", 40000), error)
        server_side.close()
        answer = client_side.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"\r\nContent-Type: application/json\r\n" in head
    assert f"\r\nContent-Length: {len(body)}".encode() in head
    error_body = json.loads(body)
    assert error_body["code"] == code
    assert error_body["message"]
    assert error_body["details"] == {}


def test_gunicorn_workers_share_their_metrics_and_log_in_json(
    settings: Settings, project_root: Path, tmp_path: Path
) -> None:
    """Two workers each serve requests; /metrics reports all of them from either worker.

    The requests gunicorn rejects before the app are answered with the JSON error body too.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left over from an earlier run")
    env = process_env(
        settings,
        DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn.db'}",
        REDIS_URL="",
        LOG_JSON="true",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        WEB_CONCURRENCY="2",
    )
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app.wsgi:app"]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}"],
        cwd=project_root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = 0

    def get(path: str) -> tuple[str, str]:
        with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:  # noqa: S310
            return response.headers["Content-Type"], response.read().decode()

    try:
        # Wait on another endpoint: a request given up while the workers boot under load is
        # still served later, and must not count among the samples checked below.
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                get("/openapi.json")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        # A sync worker serves one request at a time: while one worker waits for the rest of
        # this request, the other one serves everything else.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as held:
            held.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\n")
            time.sleep(0.5)
            for _ in range(5):
                get("/health/live")
                served += 1
            held.sendall(b"Connection: close\r\n\r\n")
            assert held.recv(1024).startswith(b"HTTP/1.1 200")
            served += 1
        assert not (metrics_dir / "counter_1.db").exists()
        labels = '{endpoint="/health/live",method="GET",status="200"}'
        sample = f"http_requests_total{labels} {served}.0"
        for _ in range(6):
            content_type, body = get("/metrics")
            assert content_type == CONTENT_TYPE_LATEST
            assert sample in body.splitlines()
        for request, status, code in BAD_REQUESTS:
            answer_status, headers, body_bytes = raw_exchange(port, request)
            assert (answer_status, headers["content-type"]) == (status, "application/json")
            assert json.loads(body_bytes)["code"] == code
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    lines = [line for line in output.splitlines() if line.strip()]
    assert any("Booting worker" in line for line in lines), output
    records = [json.loads(line) for line in lines]  # every line, gunicorn's too, is JSON
    assert {record["logger"] for record in records} >= {"gunicorn.error", "app.request"}
    rejected = [r for r in records if r["message"].startswith("Invalid request from ip=")]
    assert len(rejected) == len(BAD_REQUESTS), output


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
    assert set(schema["required"]) == {"email", "password", "full_name", *REQUIRED_FIELDS}
    assert schema["properties"]["password"]["minLength"] == 8
    assert paths["/api/v1/auth/me"]["get"]["security"] == [{"bearerAuth": []}]
    assert paths["/api/v1/auth/me"]["patch"]["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "details"}


def test_docs_ui_is_served_with_its_own_files(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "swagger-ui" in page
    files = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert files
    assert all(url.startswith("/docs/swagger-ui/") for url in files), files  # no CDN
    for url in files:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.mimetype in {"text/javascript", "text/css"}, url
        assert len(asset.get_data()) > 1000, url
    missing = client.get("/docs/swagger-ui/index.html")  # the package's demo page
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "NOT_FOUND"


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
