"""JSON responses serialised straight from the DTOs by Pydantic.

Views return `dto_response(...)`, which flask-smorest passes through untouched: the Marshmallow
response schemas named in `@blp.response` only document the responses in the OpenAPI document
(the controller tests check that what is sent matches them), so no second schema library runs
per request.
"""

from http import HTTPStatus

from flask import Response
from pydantic import BaseModel

JSON_MIMETYPE = "application/json"


def dto_response(dto: BaseModel, status: HTTPStatus = HTTPStatus.OK) -> Response:
    return Response(dto.model_dump_json(), status=status, mimetype=JSON_MIMETYPE)
