"""gunicorn's sync worker, answering the requests it rejects itself with the JSON error body.

gunicorn answers a request it cannot read (a malformed request line, an invalid header, a
request line or headers over its limits) before Flask sees it, with an HTML page of its own.
This worker keeps everything gunicorn does with such a request (the status it picks, the line
it logs) and sends `{"code", "message", "details"}` in place of the page. `gunicorn.conf.py`
names it as `worker_class`, and `NoAccessLogger` as `logger_class`.
"""

import json
import socket
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from gunicorn.glogging import Logger
from gunicorn.http import Request
from gunicorn.workers.sync import SyncWorker
from werkzeug.exceptions import default_exceptions

from app.middleware.error_handlers import error_code_for

if TYPE_CHECKING:
    from gunicorn._types import _AddressType


class NoAccessLogger(Logger):
    """gunicorn's logger without the access log: the application logs every request itself.

    gunicorn builds each access line's fields (every header, the times) whenever `logconfig_dict`
    is set, even for an access logger that drops the line: about 25 us per request.
    """

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


class JsonErrorSyncWorker(SyncWorker):
    def handle_error(
        self,
        req: Request | None,
        client: socket.socket,
        addr: "_AddressType",
        exc: BaseException,
    ) -> None:
        # gunicorn only reads the socket's timeout and writes its page to it.
        super().handle_error(req, cast(socket.socket, _JsonErrorPage(client)), addr, exc)


def json_error_answer(status: int) -> bytes:
    """The whole HTTP answer for `status`, with the message Flask's error of that status has."""
    error = default_exceptions.get(status)
    message = error.description if error and error.description else HTTPStatus(status).phrase
    body = json.dumps({"code": error_code_for(status), "message": message, "details": {}})
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return (head + body).encode("latin-1")


class _JsonErrorPage:
    """Stands for the client's socket while gunicorn writes its page: sends the JSON answer."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def __getattr__(self, name: str) -> object:
        return getattr(self._sock, name)

    def sendall(self, page: bytes) -> None:
        # The page starts with gunicorn's status line: `HTTP/1.1 431 Request Header ...`.
        status = int(page.split(b" ", 2)[1])
        self._sock.sendall(json_error_answer(status))
