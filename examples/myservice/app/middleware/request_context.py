"""X-Request-ID propagation and one structured log line per request.

The line is written when the server closes the answer, after sending it: the client does not
wait for it. The request id travels with the line, since the request has ended by then.
"""

import logging
import re
import time
import uuid
from functools import partial

from flask import Flask, Response, g, request

from app.core.logging import request_id_var
from app.core.request_scope import authorization_var

logger = logging.getLogger("app.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def init_request_context(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_reset_request_id)


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_id = request_id
    g.request_id_token = request_id_var.set(request_id)
    g.authorization_token = authorization_var.set(request.headers.get("Authorization"))
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    request_id = g.request_id
    response.headers[REQUEST_ID_HEADER] = request_id
    if logger.isEnabledFor(logging.INFO):  # nothing is built for a line nobody writes
        duration_ms = round((time.perf_counter() - g.request_started) * 1000, 2)
        response.call_on_close(
            partial(
                _log_request,
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                request_id,
            )
        )
    return response


def _log_request(method: str, path: str, status: int, duration_ms: float, request_id: str) -> None:
    logger.info(
        "%s %s %s",
        method,
        path,
        status,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
            "request_id": request_id,
        },
    )


def _reset_request_id(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id_var.reset(token)
    authorization = g.pop("authorization_token", None)
    if authorization is not None:
        authorization_var.reset(authorization)
