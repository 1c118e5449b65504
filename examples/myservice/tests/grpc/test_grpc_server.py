"""The server around the servicers: health, reflection, interceptors, entry points."""

import dataclasses
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any, cast

import grpc
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from prometheus_client.parser import text_string_to_metric_families

from app.config.settings import Settings
from app.core.errors import NotFoundError
from app.core.limits import MAX_REQUEST_BYTES
from app.core.logging import RequestIdFilter
from app.core.metrics import MetricsServer
from app.dto.auth_dto import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserResponse,
)
from app.dto.health_dto import ReadinessResponse
from app.grpc import probe
from app.grpc import server as grpc_server
from app.grpc.errors import error_details
from app.grpc.generated.myservice.v1 import auth_pb2, auth_pb2_grpc
from app.grpc.reflection import SERVICE_NAMES as REFLECTION_SERVICE_NAMES
from app.grpc.reflection import V1_SERVICE_NAME
from app.grpc.server import (
    LIVENESS_SERVICE,
    SERVICE_NAMES,
    HealthMonitor,
    report_readiness,
    serve,
)
from app.service.health_service_impl import HealthServiceImpl
from app.wiring import Container
from tests.conftest import process_env
from tests.fakes.user_samples import REGISTER_EXTRA_PROTO
from tests.grpc.conftest import ServeGrpc, bearer

LEAKED_SECRET = "connection refused by db.internal:5432 (password=hunter2)"


class ExplodingAuthService:
    """An AuthService whose every operation fails unexpectedly."""

    def register(self, data: RegisterRequest, client_address: str | None = None) -> UserResponse:
        raise RuntimeError(LEAKED_SECRET)

    def login(self, data: LoginRequest, client_address: str | None = None) -> TokenPair:
        raise RuntimeError(LEAKED_SECRET)

    def refresh(self, data: RefreshRequest) -> TokenPair:
        raise RuntimeError(LEAKED_SECRET)

    def get_user(self, user_id: int) -> UserResponse:
        raise RuntimeError(LEAKED_SECRET)

    def update_me(self, user_id: int, data: UpdateMeRequest) -> UserResponse:
        raise RuntimeError(LEAKED_SECRET)

    def authenticate(self, access_token: str) -> int:
        if access_token != "valid":
            raise RuntimeError(LEAKED_SECRET)
        return 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_serving(target: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe.is_serving(target, timeout=1.0):
        if time.monotonic() > deadline:
            raise AssertionError(f"no SERVING gRPC server at {target}")
        time.sleep(0.1)


def test_health_reports_every_service_serving(channel: grpc.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)

    for service in ("", *SERVICE_NAMES):
        response = stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert response.status == health_pb2.HealthCheckResponse.SERVING, service

    with pytest.raises(grpc.RpcError) as caught:
        stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_details(caught.value) == {}


def health_status(channel: grpc.Channel, service: str = "") -> int:
    request = health_pb2.HealthCheckRequest(service=service)
    status: int = health_pb2_grpc.HealthStub(channel).Check(request).status
    return status


class SwitchableHealth:
    """A HealthService whose readiness the test switches; None makes the check itself fail."""

    def __init__(self) -> None:
        self.ready: bool | None = True

    def readiness(self) -> ReadinessResponse:
        if self.ready is None:
            raise RuntimeError("checker crashed")
        return HealthServiceImpl({"database": lambda: bool(self.ready)}).readiness()


def test_a_request_larger_than_the_rest_body_limit_is_resource_exhausted(
    channel: grpc.Channel,
) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    fits = health_pb2.HealthCheckRequest(service="x" * (MAX_REQUEST_BYTES - 16))
    too_large = health_pb2.HealthCheckRequest(service="x" * MAX_REQUEST_BYTES)

    with pytest.raises(grpc.RpcError) as caught:
        stub.Check(fits)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as caught:
        stub.Check(too_large)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_health_follows_readiness_while_liveness_stays_serving(
    container: Container, serve_grpc: ServeGrpc
) -> None:
    failing = HealthServiceImpl({"database": lambda: False, "cache": lambda: True})
    target = serve_grpc(dataclasses.replace(container, health_service=failing))
    with grpc.insecure_channel(target) as channel:
        for service in ("", *SERVICE_NAMES):
            assert health_status(channel, service) == health_pb2.HealthCheckResponse.NOT_SERVING
        assert health_status(channel, LIVENESS_SERVICE) == health_pb2.HealthCheckResponse.SERVING


def test_readiness_failures_are_not_serving_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    servicer, checks = health.HealthServicer(), SwitchableHealth()
    checks.ready = None
    with caplog.at_level(logging.ERROR):
        assert not report_readiness(servicer, checks)
    assert "Readiness check failed" in caplog.text


def test_the_health_monitor_tracks_readiness_until_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    servicer, checks = health.HealthServicer(), SwitchableHealth()
    servicer.set("", health_pb2.HealthCheckResponse.UNKNOWN)
    monitor = HealthMonitor(servicer, checks, interval=0.02)
    port = free_port()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    caplog.set_level(logging.INFO, logger="app.grpc.server")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            monitor.start()
            wait_for_status(channel, health_pb2.HealthCheckResponse.SERVING)
            checks.ready = False
            wait_for_status(channel, health_pb2.HealthCheckResponse.NOT_SERVING)
            checks.ready = True
            wait_for_status(channel, health_pb2.HealthCheckResponse.SERVING)
            monitor.stop()
            checks.ready = False
            time.sleep(0.1)
            assert health_status(channel) == health_pb2.HealthCheckResponse.SERVING
    finally:
        server.stop(grace=None)
    messages = [r.getMessage() for r in caplog.records if r.name == "app.grpc.server"]
    assert messages == ["gRPC health: SERVING", "gRPC health: NOT_SERVING", "gRPC health: SERVING"]


def wait_for_status(channel: grpc.Channel, expected: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while health_status(channel) != expected:
        assert time.monotonic() < deadline, f"health never became {expected}"
        time.sleep(0.01)


def test_reflection_v1_answers_as_v1alpha_does(channel: grpc.Channel) -> None:
    call = channel.stream_stream(
        f"/{V1_SERVICE_NAME}/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    requests = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=V1_SERVICE_NAME),
    ]
    listed, described = list(call(iter(requests), timeout=10))

    names = {service.name for service in listed.list_services_response.service}
    assert names == {*SERVICE_NAMES, health.SERVICE_NAME, *REFLECTION_SERVICE_NAMES}
    assert described.file_descriptor_response.file_descriptor_proto


def test_metrics_count_calls_by_method_and_status(channel: grpc.Channel) -> None:
    assert health_status(channel) == health_pb2.HealthCheckResponse.SERVING
    metrics = MetricsServer(0, host="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{metrics.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read().decode()
    finally:
        metrics.close()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }
    method = (("grpc_method", "Check"), ("grpc_service", "grpc.health.v1.Health"))
    assert samples[("grpc_server_handled_total", (("grpc_code", "OK"), *method))] >= 1
    assert samples[("grpc_server_handling_seconds_count", method)] >= 1


def test_reflection_describes_the_services(channel: grpc.Channel) -> None:
    database = ProtoReflectionDescriptorDatabase(channel)

    assert set(database.get_services()) == {
        *SERVICE_NAMES,
        health.SERVICE_NAME,
        *REFLECTION_SERVICE_NAMES,
    }
    auth_service = DescriptorPool(database).FindServiceByName("myservice.v1.AuthService")
    assert [method.name for method in auth_service.methods] == [
        "Register",
        "Login",
        "Refresh",
        "Me",
        "UpdateMe",
    ]


def test_unexpected_error_is_internal_without_trace(
    container: Container, serve_grpc: ServeGrpc, caplog: pytest.LogCaptureFixture
) -> None:
    exploding = dataclasses.replace(container, auth_service=ExplodingAuthService())
    with grpc.insecure_channel(serve_grpc(exploding)) as channel:
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.Register(
                auth_pb2.RegisterRequest(
                    email="ada@example.com",
                    password="long-enough",
                    full_name="Ada",
                    **REGISTER_EXTRA_PROTO,
                )
            )

    error = caught.value
    assert error.code() == grpc.StatusCode.INTERNAL
    assert error.details() == "Internal server error"
    assert error_details(error) == {
        "code": "INTERNAL_ERROR",
        "message": "Internal server error",
        "details": {},
    }
    assert "hunter2" not in repr(error)
    assert "Traceback" not in repr(error)
    logged = [record for record in caplog.records if record.exc_info]
    assert len(logged) == 1
    assert "/myservice.v1.AuthService/Register" in logged[0].getMessage()


def test_error_in_authentication_is_internal(container: Container, serve_grpc: ServeGrpc) -> None:
    exploding = dataclasses.replace(container, auth_service=ExplodingAuthService())
    with grpc.insecure_channel(serve_grpc(exploding)) as channel:
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.Me(auth_pb2.MeRequest(), metadata=bearer("anything"))

    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert "hunter2" not in repr(caught.value)


def _abort_directly(request: bytes, context: grpc.ServicerContext) -> bytes:
    context.abort(grpc.StatusCode.FAILED_PRECONDITION, "chosen by the handler")


def _stream_then_fail(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
    yield b"first"
    raise NotFoundError("gone mid-stream")


def _count_requests(requests: Iterator[bytes], context: grpc.ServicerContext) -> bytes:
    return str(sum(1 for _ in requests)).encode()


def _tick_until_cancelled(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
    while context.is_active():
        yield b"tick"
        time.sleep(0.01)


def _wait_for_deadline(request: bytes, context: grpc.ServicerContext) -> bytes:
    while context.is_active():
        time.sleep(0.01)
    return b""


def _echo(requests: Iterator[bytes], context: grpc.ServicerContext) -> Iterator[bytes]:
    yield from requests
    # A cancelled request stream may simply end before the server has learnt of the
    # cancellation: wait for the call's outcome, as a handler with more work would.
    while context.is_active():
        time.sleep(0.01)


EXTRA_HANDLERS = grpc.method_handlers_generic_handler(
    "test.v1.Probe",
    {
        "Abort": grpc.unary_unary_rpc_method_handler(_abort_directly),
        "Stream": grpc.unary_stream_rpc_method_handler(_stream_then_fail),
        "Count": grpc.stream_unary_rpc_method_handler(_count_requests),
        "Ticks": grpc.unary_stream_rpc_method_handler(_tick_until_cancelled),
        "Echo": grpc.stream_stream_rpc_method_handler(_echo),
        "Wait": grpc.unary_unary_rpc_method_handler(_wait_for_deadline),
    },
)


@pytest.fixture
def probe_channel(container: Container, serve_grpc: ServeGrpc) -> Iterator[grpc.Channel]:
    """A channel to a server with extra raw-bytes methods, authenticated as user 1."""
    stubbed = dataclasses.replace(container, auth_service=ExplodingAuthService())
    with grpc.insecure_channel(serve_grpc(stubbed, EXTRA_HANDLERS)) as channel:
        yield channel


def test_status_chosen_by_a_servicer_is_kept(probe_channel: grpc.Channel) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        probe_channel.unary_unary("/test.v1.Probe/Abort", None, None)(b"", metadata=bearer("valid"))

    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert caught.value.details() == "chosen by the handler"


def test_errors_in_response_streams_are_mapped(probe_channel: grpc.Channel) -> None:
    stream = probe_channel.unary_stream("/test.v1.Probe/Stream", None, None)
    received: list[bytes] = []

    with pytest.raises(grpc.RpcError) as caught:
        received.extend(stream(b"", metadata=bearer("valid")))

    assert received == [b"first"]
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_details(caught.value)["message"] == "gone mid-stream"


def test_request_streams_pass_through(probe_channel: grpc.Channel) -> None:
    count = probe_channel.stream_unary("/test.v1.Probe/Count", None, None)
    assert count(iter([b"a", b"b", b"c"]), metadata=bearer("valid")) == b"3"


def logged_calls(caplog: pytest.LogCaptureFixture, method: str) -> list[dict[str, Any]]:
    """The call log records of ``method``, waiting for calls that end asynchronously (a loaded
    machine may take seconds to run the handler's last poll)."""
    deadline = time.monotonic() + 20
    while True:
        records = [vars(r) for r in caplog.records if vars(r).get("grpc_method") == method]
        if records or time.monotonic() > deadline:
            return records
        time.sleep(0.05)


def test_cancelled_response_stream_is_logged_as_cancelled(
    probe_channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.grpc.interceptors")
    ticks = probe_channel.unary_stream("/test.v1.Probe/Ticks", None, None)
    call = ticks(b"", metadata=bearer("valid"))

    assert next(iter(call)) == b"tick"
    call.cancel()  # type: ignore[no-untyped-call]  # untyped in grpc-stubs

    records = logged_calls(caplog, "/test.v1.Probe/Ticks")
    assert [record["grpc_code"] for record in records] == ["CANCELLED"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_cancelled_request_stream_is_not_an_error(
    probe_channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.grpc.interceptors")
    more = threading.Event()

    def requests() -> Iterator[bytes]:
        yield b"hello"
        more.wait(timeout=10)

    echo = probe_channel.stream_stream("/test.v1.Probe/Echo", None, None)
    call = echo(requests(), metadata=bearer("valid"))
    assert next(iter(call)) == b"hello"
    call.cancel()  # type: ignore[no-untyped-call]  # untyped in grpc-stubs
    more.set()

    records = logged_calls(caplog, "/test.v1.Probe/Echo")
    assert [record["grpc_code"] for record in records] == ["CANCELLED"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_expired_deadline_is_logged_as_such(
    probe_channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.grpc.interceptors")
    wait = probe_channel.unary_unary("/test.v1.Probe/Wait", None, None)

    with pytest.raises(grpc.RpcError) as caught:
        wait(b"", metadata=bearer("valid"), timeout=0.2)

    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    records = logged_calls(caplog, "/test.v1.Probe/Wait")
    assert [record["grpc_code"] for record in records] == ["DEADLINE_EXCEEDED"]


def test_methods_are_private_unless_listed_public(probe_channel: grpc.Channel) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        probe_channel.stream_unary("/test.v1.Probe/Count", None, None)(iter([b"a"]))

    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(
    ("sent", "logged"),
    [("req-42", "req-42"), ("not a valid id: spaces", None), (None, None)],
)
def test_calls_are_logged_with_method_status_duration_and_request_id(
    auth_stub: auth_pb2_grpc.AuthServiceStub,
    caplog: pytest.LogCaptureFixture,
    sent: str | None,
    logged: str | None,
) -> None:
    caplog.set_level(logging.INFO, logger="app.grpc.interceptors")
    caplog.handler.addFilter(RequestIdFilter())
    metadata = () if sent is None else (("x-request-id", sent),)

    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.Me(auth_pb2.MeRequest(), metadata=metadata)

    records = logged_calls(caplog, "/myservice.v1.AuthService/Me")
    assert len(records) == 1
    fields = records[0]
    assert fields["grpc_method"] == "/myservice.v1.AuthService/Me"
    assert fields["grpc_code"] == "UNAUTHENTICATED"
    assert fields["duration_ms"] >= 0
    if logged is None:
        assert re.fullmatch(r"[0-9a-f]{32}", fields["request_id"])
    else:
        assert fields["request_id"] == logged
    assert trailer(caught.value, "x-request-id") == fields["request_id"]
    assert error_details(caught.value)["code"] == "UNAUTHORIZED"


def trailer(call: object, key: str) -> str | None:
    """A trailing metadata value of a finished call (or of the error it raised)."""
    metadata = cast(grpc.Call, call).trailing_metadata()
    return next((str(value) for name, value in metadata or () if name == key), None)


def test_successful_calls_echo_the_request_id(auth_stub: auth_pb2_grpc.AuthServiceStub) -> None:
    request = auth_pb2.RegisterRequest(
        email="echo@example.com", password="long-enough", full_name="Echo", **REGISTER_EXTRA_PROTO
    )
    _, call = auth_stub.Register.with_call(request, metadata=(("x-request-id", "trace-7"),))
    assert trailer(call, "x-request-id") == "trace-7"


def test_serve_runs_until_stopped(settings: Settings) -> None:
    port = free_port()
    stop = threading.Event()
    thread = threading.Thread(
        target=serve, args=(settings,), kwargs={"port": port, "host": "127.0.0.1", "stop": stop}
    )
    thread.start()
    try:
        wait_until_serving(f"127.0.0.1:{port}")
    finally:
        stop.set()
        thread.join(timeout=20)

    assert not thread.is_alive()
    assert not probe.is_serving(f"127.0.0.1:{port}", timeout=0.5)


def test_serve_fails_loudly_when_the_port_is_taken(settings: Settings, grpc_target: str) -> None:
    taken_port = int(grpc_target.rsplit(":", 1)[1])

    with pytest.raises(RuntimeError, match="Failed to bind"):
        serve(settings, port=taken_port, host="127.0.0.1", stop=threading.Event())


def test_main_shuts_down_on_sigterm(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setattr(grpc_server, "get_settings_or_exit", lambda: settings)
    monkeypatch.setattr(grpc_server, "configure_logging", lambda _: None)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}

    served: list[bool] = []

    def terminate_when_serving() -> None:
        # SIGTERM is sent in any case, so that main() returns even if the server never serves.
        try:
            wait_until_serving(f"127.0.0.1:{port}")
            served.append(True)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_when_serving, daemon=True)
    killer.start()
    try:
        grpc_server.main(["--host", "127.0.0.1", "--port", str(port)])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    killer.join(timeout=5)
    assert served == [True]
    assert not probe.is_serving(f"127.0.0.1:{port}", timeout=0.5)


def test_server_process_serves_and_exits_cleanly_on_sigterm(
    settings: Settings, project_root: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = process_env(
        settings,
        DATABASE_URL=f"sqlite:///{tmp_path / 'process.db'}",
        REDIS_URL="",
        GRPC_PORT=str(port),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "app.grpc.server", "--host", "127.0.0.1"],
        cwd=project_root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(f"127.0.0.1:{port}")
        assert probe.main(["--port", str(port), "--service", SERVICE_NAMES[0]]) == 0
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)

    assert process.returncode == 0, output
    assert "gRPC server listening" in output
    assert "gRPC server shutting down" in output


def test_probe_reports_a_missing_server(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    unused_port = settings.model_copy(update={"grpc_port": free_port()})
    monkeypatch.setattr(probe, "get_settings_or_exit", lambda: unused_port)

    assert probe.main(["--timeout", "0.2"]) == 1
    assert capsys.readouterr().out.strip() == "NOT SERVING"
