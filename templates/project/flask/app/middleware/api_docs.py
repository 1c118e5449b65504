"""The interactive API docs (Swagger UI at /docs) with its files served by the app itself.

flask-smorest's page loads Swagger UI from wherever `OPENAPI_SWAGGER_UI_URL` points; a CDN
would leave the page blank without internet and serve whichever release it has that day. Here
it points at this route, which serves the files of the Swagger UI release that the
`swagger-ui-bundle-v2` package ships (its version is locked in uv.lock).
"""

from flask import Flask, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import NotFound

SWAGGER_UI_URL = "/docs/swagger-ui/"
"""Where the docs page finds Swagger UI's files (flask-smorest's `OPENAPI_SWAGGER_UI_URL`)."""
SWAGGER_UI_FILES = frozenset(
    {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"}
)
"""The files the page loads; the package's demo page and its other builds are not served."""


def init_api_docs(app: Flask) -> None:
    app.add_url_rule(f"{SWAGGER_UI_URL}<name>", "swagger_ui_file", _swagger_ui_file)


def _swagger_ui_file(name: str) -> Response:
    if name not in SWAGGER_UI_FILES:
        raise NotFound
    return send_from_directory(swagger_ui_path, name)
