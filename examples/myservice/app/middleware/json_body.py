"""Refuse a JSON body Python would misread (NaN, 1e400, huge integers, deep nesting) with 422."""

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge, UnprocessableEntity

from app.core.errors import SCHEMA_FIELD
from app.core.json_input import parse_json_body


def init_json_body_guard(app: Flask) -> None:
    app.before_request(_refuse_unacceptable_json)


def _refuse_unacceptable_json() -> None:
    if not request.is_json:
        return
    data = request.get_data(cache=True)
    limit = request.max_content_length
    # werkzeug stops reading a body of unknown length (chunked) at the limit, as if it ended.
    unread = request.content_length is None and limit is not None and len(data) >= limit
    if unread and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge
    if not data:
        return
    try:
        parse_json_body(data)
    except ValueError as exc:
        # The shape webargs gives invalid arguments: a 422, as documented, naming the whole payload.
        error = UnprocessableEntity()
        error.data = {"messages": {"json": {SCHEMA_FIELD: [f"Invalid JSON body: {exc}."]}}}  # type: ignore[attr-defined]
        raise error from None
