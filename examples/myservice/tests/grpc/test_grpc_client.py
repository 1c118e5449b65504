"""The gRPC client machinery of layered mode: channels, retries, deadline and error mapping."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from app.config.settings import Settings
from app.core.errors import AppError, ErrorCode, ServiceUnavailableError
from app.core.logging import request_id_var
from app.core.request_scope import authorization_var
from app.grpc.client.channel import ChannelPool, to_app_error
from app.grpc.errors import ERROR_DETAILS_KEY, REQUEST_ID_KEY
from app.wiring import build_container
from tests.conftest import isolated_settings

CLOSED = "127.0.0.1:1"
"""Nothing listens on port 1: connections are refused at once."""

Stub = health_pb2_grpc.HealthStub


class FailedCall(grpc.RpcError):
    """A failed call as a client sees it: a status code and trailing metadata."""

    def __init__(self, code: grpc.StatusCode, trailers: grpc.Metadata = ()) -> None:
        self._code = code
        self._trailers = trailers

    def code(self) -> grpc.StatusCode:
        return self._code

    # The stubs declare objects here; real calls return (key, value) pairs, as `Metadata`.
    def trailing_metadata(self) -> grpc.Metadata:  # type: ignore[override]
        return self._trailers


def check(pool: ChannelPool, *, idempotent: bool = True) -> health_pb2.HealthCheckResponse:
    stubs = pool.stubs(Stub)
    request = health_pb2.HealthCheckRequest(service="")
    return pool.call(stubs, lambda s: s.Check, request, idempotent=idempotent)


MakePool = Callable[..., ChannelPool]


@pytest.fixture
def make_pool() -> Iterator[MakePool]:
    """`ChannelPool(targets, timeout_seconds=2.0, ...)`, closed after the test."""
    pools: list[ChannelPool] = []

    def make(targets: list[str], timeout_seconds: float = 2.0, **options: float) -> ChannelPool:
        pool = ChannelPool(targets, timeout_seconds=timeout_seconds, **options)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


def test_a_call_reaches_the_server(grpc_target: str, make_pool: MakePool) -> None:
    reply = check(make_pool([grpc_target]))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_an_idempotent_call_is_retried_on_the_next_server(
    grpc_target: str, make_pool: MakePool
) -> None:
    pool = make_pool([CLOSED, grpc_target])
    for _ in range(3):  # whichever server is first in turn, the live one answers
        assert check(pool).status == health_pb2.HealthCheckResponse.SERVING


def test_a_server_that_failed_is_tried_last_until_its_cooldown_ends(
    grpc_target: str, make_pool: MakePool
) -> None:
    pool = make_pool([CLOSED, grpc_target], cooldown_seconds=3600.0)
    check(pool)  # the closed server fails first in turn and is marked down
    for _ in range(4):  # then every call, idempotent or not, starts with the live one
        assert check(pool, idempotent=False).status == health_pb2.HealthCheckResponse.SERVING


def test_a_call_that_is_not_idempotent_is_sent_once(make_pool: MakePool) -> None:
    with pytest.raises(ServiceUnavailableError):
        check(make_pool([CLOSED, CLOSED]), idempotent=False)


def test_an_unreachable_upstream_is_unavailable(make_pool: MakePool) -> None:
    with pytest.raises(ServiceUnavailableError) as caught:
        check(make_pool([CLOSED, CLOSED]))
    assert caught.value.code is ErrorCode.UNAVAILABLE


def test_a_spent_deadline_is_unavailable_without_a_call(
    grpc_target: str, make_pool: MakePool
) -> None:
    with pytest.raises(ServiceUnavailableError):
        check(make_pool([grpc_target], timeout_seconds=0.0))


@pytest.fixture
def echo_target() -> Iterator[tuple[str, list[dict[str, str | bytes]]]]:
    """A bare server whose `/test.Echo/Echo` answers the request and records its metadata."""
    seen: list[dict[str, str | bytes]] = []

    def echo(request: bytes, context: grpc.ServicerContext) -> bytes:
        seen.append(dict(context.invocation_metadata()))
        return request

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handler = grpc.method_handlers_generic_handler(
        "test.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}", seen
    server.stop(None)


def test_the_request_id_and_authorization_are_forwarded(
    echo_target: tuple[str, list[dict[str, str | bytes]]], make_pool: MakePool
) -> None:
    target, seen = echo_target
    pool = make_pool([target])
    stubs = pool.stubs(lambda channel: channel.unary_unary("/test.Echo/Echo", None, None))
    request_id = request_id_var.set("req-42")
    authorization = authorization_var.set("Bearer some-token")
    try:
        assert pool.call(stubs, lambda stub: stub, b"ping", idempotent=True) == b"ping"
    finally:
        authorization_var.reset(authorization)
        request_id_var.reset(request_id)
    assert pool.call(stubs, lambda stub: stub, b"ping", idempotent=False) == b"ping"
    assert (seen[0][REQUEST_ID_KEY], seen[0]["authorization"]) == ("req-42", "Bearer some-token")
    assert REQUEST_ID_KEY not in seen[1]
    assert "authorization" not in seen[1]


def test_the_error_body_becomes_the_same_application_error() -> None:
    body = {"code": "CONFLICT", "message": "Taken", "details": {"fields": {"name": ["Taken."]}}}
    failed = FailedCall(grpc.StatusCode.ALREADY_EXISTS, ((ERROR_DETAILS_KEY, json.dumps(body)),))
    error = to_app_error(failed)
    assert (error.code, error.message, error.details) == (
        ErrorCode.CONFLICT,
        "Taken",
        {"fields": {"name": ["Taken."]}},
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (grpc.StatusCode.UNAVAILABLE, ErrorCode.UNAVAILABLE),
        (grpc.StatusCode.DEADLINE_EXCEEDED, ErrorCode.UNAVAILABLE),
        (grpc.StatusCode.UNKNOWN, ErrorCode.INTERNAL_ERROR),
        (grpc.StatusCode.NOT_FOUND, ErrorCode.INTERNAL_ERROR),
    ],
)
def test_a_status_without_an_error_body(status: grpc.StatusCode, code: ErrorCode) -> None:
    error = to_app_error(FailedCall(status, ((ERROR_DETAILS_KEY, '{"code": "NOPE"}'),)))
    assert isinstance(error, AppError)
    assert error.code is code


def test_ping_reports_whether_a_server_is_serving(grpc_target: str, make_pool: MakePool) -> None:
    assert make_pool([CLOSED, grpc_target]).ping()
    assert not make_pool([CLOSED]).ping()


def test_a_pool_needs_a_target() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ChannelPool([], timeout_seconds=1.0)


def layered_settings(settings: Settings, urls: str) -> Settings:
    values = {**settings.model_dump(), "deployment_mode": "layered", "grpc_service_urls": urls}
    return isolated_settings(**values)


def test_layered_readiness_reports_the_upstream(settings: Settings, grpc_target: str) -> None:
    layered = build_container(layered_settings(settings, grpc_target))
    try:
        assert layered.engine is None
        assert layered.health_service.readiness().checks == {"upstream": "ok"}
    finally:
        layered.close()
    down = build_container(layered_settings(settings, CLOSED))
    try:
        readiness = down.health_service.readiness()
    finally:
        down.close()
    assert (readiness.status, readiness.checks) == ("unavailable", {"upstream": "error"})


def test_a_layered_process_has_no_database(settings: Settings) -> None:
    layered = build_container(layered_settings(settings, CLOSED))
    try:
        with pytest.raises(RuntimeError, match="no database"):
            layered.sessions()
    finally:
        layered.close()


def test_layered_mode_needs_grpc_service_urls() -> None:
    with pytest.raises(ValueError, match="GRPC_SERVICE_URLS must be set"):
        isolated_settings(deployment_mode="layered", grpc_service_urls=" , ")


def test_a_layered_production_process_needs_no_database_url() -> None:
    settings = isolated_settings(
        app_env="production",
        deployment_mode="LAYERED",
        grpc_service_urls="grpc-a:50051, grpc-b:50051",
        jwt_secret="Zm9vYmFyLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmZ2hpamts",
    )
    assert settings.is_layered
    assert settings.grpc_targets == ("grpc-a:50051", "grpc-b:50051")
