"""Security headers on every answer, and ids in URLs that are ASCII digits only."""

from flask import Flask
from werkzeug.routing import IntegerConverter

from app.core.http_headers import API_HEADERS, API_PREFIX, SECURITY_HEADERS

_Headers = tuple[frozenset[str], tuple[tuple[str, str], ...]]


class AsciiIntegerConverter(IntegerConverter):
    """`<int:...>` that matches 0-9 only: Werkzeug's `\\d` also takes other scripts' digits."""

    regex = r"[0-9]+"


def init_hardening(app: Flask) -> None:
    """Call before the blueprints are registered: their routes compile with the converter."""
    app.url_map.converters["int"] = AsciiIntegerConverter


def _headers(values: dict[str, str]) -> _Headers:
    names = frozenset(name.lower() for name in (*values, "X-Request-ID"))
    return names, tuple(values.items())


_PAGE_HEADERS = _headers(SECURITY_HEADERS)
_API_HEADERS = _headers(SECURITY_HEADERS | API_HEADERS)


def response_headers(path: str) -> _Headers:
    """The headers an answer for `path` carries (lower-cased names, and name-value pairs);
    `app.middleware.request_context` adds them to every answer, replacing the app's own."""
    return _API_HEADERS if path.startswith(API_PREFIX) else _PAGE_HEADERS
