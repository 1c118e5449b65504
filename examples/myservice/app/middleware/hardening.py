"""Security headers on every answer, and ids in URLs that are ASCII digits only."""

from flask import Flask, Response, request
from werkzeug.routing import IntegerConverter

from app.core.http_headers import API_HEADERS, API_PREFIX, SECURITY_HEADERS


class AsciiIntegerConverter(IntegerConverter):
    """`<int:...>` that matches 0-9 only: Werkzeug's `\\d` also takes other scripts' digits."""

    regex = r"[0-9]+"


def init_hardening(app: Flask) -> None:
    """Call before the blueprints are registered: their routes compile with the converter."""
    app.url_map.converters["int"] = AsciiIntegerConverter
    app.after_request(_add_security_headers)


def _add_security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    if request.path.startswith(API_PREFIX):
        response.headers.update(API_HEADERS)
    return response
