"""One ASGI middleware around every request: X-Request-ID, the body limit, one structured log
line, the request metrics, and the INTERNAL_ERROR answer to anything unexpected."""

import logging
import re
import time
import uuid
from http import HTTPStatus

from fastapi.routing import APIRoute
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import ErrorCode
from app.core.http_requests import UNMATCHED, log_request, record_request, request_lines_enabled
from app.core.logging import request_id_var
from app.core.request_scope import authorization_var
from app.middleware.error_handlers import error_response

logger = logging.getLogger("app.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestContextMiddleware:
    """Pure ASGI (no per-request task or body copy, unlike `BaseHTTPMiddleware`)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        authorization = authorization_var.set(headers.get("authorization"))
        started = time.perf_counter()
        status = HTTPStatus.INTERNAL_SERVER_ERROR.value
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        too_large_message = f"The request body exceeds {self.max_body_bytes} bytes"
        received = 0

        async def receive_within_limit() -> Message:
            # A body sent without Content-Length (chunked) is counted as it arrives.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise HTTPException(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, too_large_message)
            return message

        try:
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_body_bytes:
                too_large = error_response(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    "REQUEST_ENTITY_TOO_LARGE",
                    too_large_message,
                )
                await too_large(scope, receive, send_with_id)
            else:
                await self.app(scope, receive_within_limit, send_with_id)
        except Exception:
            logger.exception("Unhandled error")
            if response_started:
                raise
            internal = error_response(
                HTTPStatus.INTERNAL_SERVER_ERROR, ErrorCode.INTERNAL_ERROR, "Internal server error"
            )
            await internal(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method, path = scope["method"], scope["path"]
            route = scope.get("route")
            endpoint = route.path if isinstance(route, APIRoute | Route) else UNMATCHED
            record_request(method, endpoint, status, seconds)
            if request_lines_enabled():
                log_request(method, path, status, round(seconds * 1000, 2), request_id)
            request_id_var.reset(token)
            authorization_var.reset(authorization)
