"""The uvicorn worker of gunicorn, answering the requests it rejects with the JSON error body.

uvicorn answers a request it cannot read (a malformed request line or header, an unfinished
request head over h11's 16 KiB) before the app sees it, with a plain-text 400. The worker here
runs uvicorn with an HTTP protocol that keeps everything else uvicorn does with such a request
(the line it logs, closing the connection) and sends `{"code", "message", "details"}` instead
of the text. `gunicorn.conf.py` names it as `worker_class`.
"""

import logging
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn_worker import UvicornWorker

from app.middleware.error_handlers import error_code_for, error_response


class JsonErrorH11Protocol(H11Protocol):
    """uvicorn's h11 protocol (what `http="auto"` picks without httptools installed)."""

    def send_400_response(self, msg: str) -> None:
        answer = json_error_answer(HTTPStatus.BAD_REQUEST, self.server_state.default_headers)
        self.transport.write(answer)
        self.transport.close()


def json_error_answer(status: HTTPStatus, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """The whole HTTP answer for `status`: the app's error body, uvicorn's default headers."""
    response = error_response(status, error_code_for(status), status.phrase)
    lines = [f"HTTP/1.1 {status.value} {status.phrase}".encode()]
    lines += [name + b": " + value for name, value in default_headers]
    lines += [name + b": " + value for name, value in response.raw_headers]
    return b"\r\n".join([*lines, b"connection: close", b"", response.body])


class JsonErrorUvicornWorker(UvicornWorker):
    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "auto", "http": JsonErrorH11Protocol}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # UvicornWorker hands uvicorn's log to gunicorn's error log handlers, which are none
        # under gunicorn.conf.py's `logconfig_dict`: its lines would be dropped or printed as
        # plain text. They go to the application's handler (JSON in production) instead.
        uvicorn_log = logging.getLogger("uvicorn.error")
        uvicorn_log.handlers = []
        uvicorn_log.propagate = True
