"""Server interceptors: call logging and metrics, error mapping and bearer-token authentication.

``create_server`` installs them outermost first: ``LoggingInterceptor`` (request id, method, status,
duration, Prometheus metrics), ``ErrorInterceptor`` (``AppError`` / pydantic errors / anything
else -> gRPC status) and ``AuthInterceptor`` (``authorization: Bearer <access token>`` metadata,
except on public methods). The authenticated user id is available to servicers through
``current_user_id()``.

Interceptors wrap the method handler, so their code runs in the worker thread that serves the
call, around the servicer (and around the whole response stream for streaming methods).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Any

import grpc

from app.core.errors import UnauthorizedError
from app.core.logging import log_fields, request_id_var
from app.core.security import bearer_token
from app.grpc.errors import REQUEST_ID_KEY, abort, current_status, internal_error, to_app_error
from app.grpc.metrics import record_call
from app.service.auth_service import AuthService

if TYPE_CHECKING:
    _ServerInterceptor = grpc.ServerInterceptor[Any, Any]
    Handler = grpc.RpcMethodHandler[Any, Any]
else:
    _ServerInterceptor = grpc.ServerInterceptor

logger = logging.getLogger(__name__)

_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_current_user_id: ContextVar[int | None] = ContextVar("grpc_current_user_id", default=None)

Behavior = Callable[[Any, grpc.ServicerContext], Any]
StreamBehavior = Callable[[Any, grpc.ServicerContext], Iterator[Any]]
Around = Callable[[grpc.ServicerContext], AbstractContextManager[None]]


def current_user_id() -> int:
    """The id of the user whose access token authenticated the current call."""
    user_id = _current_user_id.get()
    if user_id is None:
        raise UnauthorizedError("Authentication required")
    return user_id


class CallInterceptor(ABC):
    """Runs ``around(method, context)`` as a context manager around every call it applies to.

    Interceptors run as the layers of one ``InterceptorChain``, the server's grpc interceptor.
    """

    def applies_to(self, method: str) -> bool:
        return True

    @abstractmethod
    def around(self, method: str, context: grpc.ServicerContext) -> AbstractContextManager[None]:
        """Context manager entered before the servicer runs and exited after it finished."""


class InterceptorChain(_ServerInterceptor):
    """One grpc interceptor running its interceptors, outermost first, around every call.

    grpcio walks its interceptors on every call and each builds its handler anew; a chain makes
    the handler of a method once and hands it out again while the handler it wraps is the same
    one (unknown methods are not kept), so a call pays for the interceptors' own work only.
    """

    def __init__(self, *interceptors: CallInterceptor) -> None:
        self._interceptors = interceptors
        self._handlers: dict[str, tuple[Handler, Handler]] = {}

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Handler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        known = self._handlers.get(method)
        if known is not None and known[0] is handler:
            return known[1]
        wrapped = handler
        for interceptor in reversed(self._interceptors):
            if interceptor.applies_to(method):
                wrapped = _wrap(wrapped, partial(interceptor.around, method))
        self._handlers[method] = (handler, wrapped)
        return wrapped


class LoggingInterceptor(CallInterceptor):
    """Tags the call with a request id (a valid ``x-request-id`` or a new one), logs its outcome
    and records it in the metrics of ``app.grpc.metrics``.

    The id is echoed in the call's trailing metadata under ``x-request-id``. The line is written
    when the call has ended (a callback of the call), so that the client does not wait for it.
    """

    @contextmanager
    def around(self, method: str, context: grpc.ServicerContext) -> Iterator[None]:
        incoming = _metadata_value(context, REQUEST_ID_KEY) or ""
        request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        context.set_trailing_metadata(((REQUEST_ID_KEY, request_id),))
        started = time.perf_counter()
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            status = current_status(context) or _implicit_status(context, failed)
            seconds = time.perf_counter() - started
            record_call(method, status, seconds)
            if logger.isEnabledFor(logging.INFO):  # nothing is built for a line nobody writes
                line = partial(_log_call, method, status, round(seconds * 1000, 2), request_id)
                # Written once the call has ended, off the client's wait; now if it already has.
                if not context.add_callback(line):
                    line()
            request_id_var.reset(token)


def _log_call(method: str, status: grpc.StatusCode, duration_ms: float, request_id: str) -> None:
    log_fields(
        logger,
        f"{method} {status.name} {duration_ms:.2f}ms",
        {
            "grpc_method": method,
            "grpc_code": status.name,
            "duration_ms": duration_ms,
            "request_id": request_id,
        },
    )


class ErrorInterceptor(CallInterceptor):
    """Ends failed calls with the matching status; unexpected errors are logged, never leaked."""

    @contextmanager
    def around(self, method: str, context: grpc.ServicerContext) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            if type(exc) is Exception and current_status(context) is not None:
                raise  # raised by context.abort(): the servicer already chose the status
            if not context.is_active():
                raise  # the client cancelled or the deadline passed: nobody to answer
            error = to_app_error(exc)
            if error is None:
                logger.exception("Unhandled error in %s", method)
                error = internal_error()
            abort(context, error)


class AuthInterceptor(CallInterceptor):
    """Requires a valid access token on every method except the public ones."""

    def __init__(
        self,
        auth_service: AuthService,
        *,
        public_methods: Collection[str] = (),
        public_services: Collection[str] = (),
    ) -> None:
        self._auth_service = auth_service
        self._public_methods = frozenset(public_methods)
        self._public_services = frozenset(public_services)

    def applies_to(self, method: str) -> bool:
        service = method.strip("/").partition("/")[0]
        return method not in self._public_methods and service not in self._public_services

    @contextmanager
    def around(self, method: str, context: grpc.ServicerContext) -> Iterator[None]:
        bearer = bearer_token(
            _metadata_value(context, "authorization"),
            "Missing bearer token in the authorization metadata",
        )
        user_id = self._auth_service.authenticate(bearer)
        token = _current_user_id.set(user_id)
        try:
            yield
        finally:
            _current_user_id.reset(token)


def _implicit_status(context: grpc.ServicerContext, failed: bool) -> grpc.StatusCode:
    """The status of a call that ended without an explicit one."""
    if not context.is_active():
        remaining = context.time_remaining()
        expired = remaining is not None and remaining <= 0
        return grpc.StatusCode.DEADLINE_EXCEEDED if expired else grpc.StatusCode.CANCELLED
    return grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK


def _metadata_value(context: grpc.ServicerContext, key: str) -> str | None:
    for name, value in context.invocation_metadata():
        if name == key and isinstance(value, str):
            return value
    return None


def _wrap(handler: Handler, around: Around) -> Handler:
    """The same handler with its behaviour running inside ``around(context)``."""

    def unary_response(behavior: Behavior) -> Behavior:
        def call(request: Any, context: grpc.ServicerContext) -> Any:
            with around(context):
                return behavior(request, context)

        return call

    def stream_response(behavior: StreamBehavior) -> StreamBehavior:
        def call(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            with around(context):
                yield from behavior(request, context)

        return call

    codecs: dict[str, Any] = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(unary_response(handler.unary_unary), **codecs)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(stream_response(handler.unary_stream), **codecs)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(unary_response(handler.stream_unary), **codecs)
    if handler.stream_stream is not None:
        return grpc.stream_stream_rpc_method_handler(
            stream_response(handler.stream_stream), **codecs
        )
    return handler
