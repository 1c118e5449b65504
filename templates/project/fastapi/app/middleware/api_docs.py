"""The interactive API docs (Swagger UI at /docs) with its files served by the app itself.

FastAPI's own docs page loads Swagger UI from a CDN: blank without internet, and whichever
release the CDN has that day. This page is FastAPI's, pointed at this app's route for the
files of the Swagger UI release that the `swagger-ui-bundle-v2` package ships (its version is
locked in uv.lock).
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/docs"
SWAGGER_UI_URL = "/docs/swagger-ui/"
"""Where the docs page finds Swagger UI's files."""
SWAGGER_UI_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})
"""The files the page loads; the package's demo page and its other builds are not served."""


def init_api_docs(app: FastAPI) -> None:
    """The docs page and its files; create the app with `docs_url=None` (FastAPI's page)."""

    openapi_url = app.openapi_url or ""

    async def swagger_ui(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        files = root_path + SWAGGER_UI_URL
        return get_swagger_ui_html(
            openapi_url=root_path + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{files}swagger-ui-bundle.js",
            swagger_css_url=f"{files}swagger-ui.css",
            swagger_favicon_url=f"{files}favicon-32x32.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    app.add_route(DOCS_PATH, swagger_ui, include_in_schema=False)
    app.add_route(f"{SWAGGER_UI_URL}{{name}}", _swagger_ui_file, include_in_schema=False)


async def _swagger_ui_file(request: Request) -> FileResponse:
    name = request.path_params["name"]
    if name not in SWAGGER_UI_FILES:
        raise HTTPException(404)
    return FileResponse(swagger_ui_path / name)
