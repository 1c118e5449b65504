"""Channels to the gRPC processes, shared by every service client.

``ChannelPool`` keeps one channel per ``host:port`` of ``GRPC_SERVICE_URLS`` and spreads calls over
them round robin. Each call:

- carries the request id (``x-request-id``) and the caller's ``authorization`` header, both set
  per request by the REST middleware;
- has one deadline (``GRPC_CLIENT_TIMEOUT_SECONDS``) covering every attempt;
- when a process answers UNAVAILABLE, marks it down for ``cooldown_seconds`` (the next calls go to
  the others first) and, for idempotent calls only, retries on the next process;
- maps a failed call back to the application error the gRPC process raised (the ``error-details``
  trailer carries its code, message and details), so the REST adapter answers as in a monolith;
  an unreachable or timed-out upstream becomes ``ServiceUnavailableError`` (503).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from app.core.errors import AppError, ErrorCode, ServiceUnavailableError
from app.core.logging import request_id_var
from app.core.request_scope import authorization_var
from app.grpc.errors import INTERNAL_ERROR_MESSAGE, REQUEST_ID_KEY, error_details

StubT = TypeVar("StubT")
RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")

if TYPE_CHECKING:
    Method = Callable[[StubT], grpc.UnaryUnaryMultiCallable[RequestT, ResponseT]]

UNAVAILABLE_MESSAGE: Final = "The service is temporarily unavailable"
DEFAULT_COOLDOWN_SECONDS: Final = 1.0
HEALTH_CHECK_TIMEOUT_SECONDS: Final = 1.0
_RETRYABLE: Final = frozenset({grpc.StatusCode.UNAVAILABLE})
_UPSTREAM_DOWN: Final = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


class ChannelPool:
    """Round-robin channels to the gRPC processes at ``targets`` (``host:port`` each)."""

    def __init__(
        self,
        targets: Sequence[str],
        *,
        timeout_seconds: float,
        cooldown_seconds: float = DEFAULT_COOLDOWN_SECONDS,
    ) -> None:
        if not targets:
            raise ValueError("ChannelPool needs at least one host:port")
        self.targets = tuple(targets)
        self.timeout_seconds = timeout_seconds
        self._cooldown_seconds = cooldown_seconds
        self._channels = [grpc.insecure_channel(target) for target in self.targets]
        self._down_until = [0.0] * len(self.targets)
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def stubs(self, stub_class: Callable[[grpc.Channel], StubT]) -> tuple[StubT, ...]:
        """One stub of ``stub_class`` per channel, in the order of ``targets``."""
        return tuple(stub_class(channel) for channel in self._channels)

    def call(
        self,
        stubs: Sequence[StubT],
        method: Method[StubT, RequestT, ResponseT],
        request: RequestT,
        *,
        idempotent: bool,
        metadata: Sequence[tuple[str, str]] = (),
    ) -> ResponseT:
        """``method(stub)(request)`` on the next process; errors as application errors.

        ``metadata`` goes with the request id and authorization the call forwards anyway.
        """
        deadline = time.monotonic() + self.timeout_seconds
        metadata = (*_metadata(), *metadata)
        order = self._order()
        for attempt, index in enumerate(order):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                response = method(stubs[index])(request, timeout=remaining, metadata=metadata)
            except grpc.RpcError as exc:
                code = _code(exc)
                if code in _UPSTREAM_DOWN:
                    self._mark_down(index)
                can_retry = idempotent and attempt + 1 < len(order)
                if code in _RETRYABLE and can_retry:
                    continue
                raise to_app_error(exc) from None
            self._mark_up(index)
            return response
        raise ServiceUnavailableError(UNAVAILABLE_MESSAGE)

    def ping(self) -> bool:
        """True when at least one process reports SERVING on the standard health service."""
        request = health_pb2.HealthCheckRequest(service="")
        for stub in self.stubs(health_pb2_grpc.HealthStub):
            try:
                reply = stub.Check(request, timeout=HEALTH_CHECK_TIMEOUT_SECONDS)
            except grpc.RpcError:
                continue
            if reply.status == health_pb2.HealthCheckResponse.SERVING:
                return True
        return False

    def close(self) -> None:
        for channel in self._channels:
            channel.close()

    def _order(self) -> list[int]:
        """Every process once, from the next in turn; those marked down last."""
        count = len(self._channels)
        with self._lock:
            start = next(self._turn) % count
            now = time.monotonic()
            rotation = [(start + step) % count for step in range(count)]
            return sorted(rotation, key=lambda index: self._down_until[index] > now)

    def _mark_down(self, index: int) -> None:
        with self._lock:
            self._down_until[index] = time.monotonic() + self._cooldown_seconds

    def _mark_up(self, index: int) -> None:
        if self._down_until[index]:
            with self._lock:
                self._down_until[index] = 0.0


def _metadata() -> tuple[tuple[str, str], ...]:
    metadata: list[tuple[str, str]] = []
    request_id = request_id_var.get()
    if request_id:
        metadata.append((REQUEST_ID_KEY, request_id))
    authorization = authorization_var.get()
    if authorization:
        metadata.append(("authorization", authorization))
    return tuple(metadata)


def _code(exc: grpc.RpcError) -> grpc.StatusCode | None:
    code = getattr(exc, "code", None)
    return code() if callable(code) else None


def to_app_error(exc: grpc.RpcError) -> AppError:
    """The application error a failed call stands for."""
    body = error_details(exc)
    code, message, details = body.get("code"), body.get("message"), body.get("details")
    if isinstance(code, str) and code in ErrorCode.__members__ and isinstance(message, str):
        return AppError(ErrorCode(code), message, details if isinstance(details, dict) else {})
    if _code(exc) in _UPSTREAM_DOWN:
        return ServiceUnavailableError(UNAVAILABLE_MESSAGE)
    return AppError(ErrorCode.INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE)
