"""One WSGI middleware around the Flask app: X-Request-ID, the security headers, the request
metrics and one structured log line per request.

It runs outside Flask, where a request costs no hook dispatch and no request-proxy lookups, and
is installed outermost (after OpenTelemetry's instrumentation, whose span then carries the
request id). The log line is written when the server closes the answer, after sending it: the
client does not wait for it.
"""

import re
import time
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.wsgi import ClosingIterator

from app.core.http_requests import UNMATCHED, log_request, record_request, request_lines_enabled
from app.core.logging import request_id_var
from app.core.request_scope import authorization_var
from app.middleware.hardening import response_headers

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def init_request_context(app: Flask) -> None:
    """Call after every other change of `app.wsgi_app` (tracing), so that this runs outermost."""
    app.wsgi_app = RequestScope(app.wsgi_app)  # type: ignore[method-assign]


class RequestScope:
    def __init__(self, app: "WSGIApplication") -> None:
        self._app = app

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        names, security = response_headers(environ.get("PATH_INFO", ""))
        added = [(REQUEST_ID_HEADER, request_id), *security]
        status, route = "500", UNMATCHED

        def start(
            status_line: str, headers: list[tuple[str, str]], exc_info: "OptExcInfo | None" = None
        ) -> Callable[[bytes], object]:
            nonlocal status, route
            # Flask starts the answer while its request (and the route it matched) is current.
            status, route = status_line, _route(environ)
            # The middleware's values replace any the app set.
            headers[:] = [header for header in headers if header[0].lower() not in names]
            headers.extend(added)
            return start_response(status_line, headers, exc_info)

        started = time.perf_counter()
        token = request_id_var.set(request_id)
        authorization = authorization_var.set(environ.get("HTTP_AUTHORIZATION"))
        try:
            body = self._app(environ, start)
        finally:
            authorization_var.reset(authorization)
            request_id_var.reset(token)
        seconds = time.perf_counter() - started
        method, code = environ["REQUEST_METHOD"], int(status[:3])
        record_request(method, route, code, seconds)
        if not request_lines_enabled():
            return body
        path = environ.get("PATH_INFO", "")
        line = partial(log_request, method, path, code, round(seconds * 1000, 2), request_id)
        return ClosingIterator(body, line)


def _route(environ: "WSGIEnvironment") -> str:
    """The route template, not the raw path: it keeps the metrics' label cardinality bounded."""
    rule = getattr(environ.get("werkzeug.request"), "url_rule", None)
    return rule.rule if rule is not None else UNMATCHED
