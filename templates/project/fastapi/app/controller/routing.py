"""The route class of every router: FastAPI's, stricter about what a request may carry."""

from collections.abc import Callable, Coroutine, Iterator
from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from app.core.json_input import parse_json_body
from app.core.query_input import repeated_parameters

_SEQUENCES = (list, tuple, set, frozenset)


class StrictRoute(APIRoute):
    """Refuses with 422 what FastAPI would let through or answer with an undocumented 400.

    A single-value query parameter given twice (`?page=1&page=2`: FastAPI takes the last one),
    and a JSON body Python would misread (NaN, 1e400, huge integers, deep nesting). The body is
    parsed once, by `parse_json_body`, and FastAPI reads the parsed value.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        single = tuple(_single_value_query_parameters(self.dependant))
        takes_body = self.body_field is not None

        async def strict_handler(request: Request) -> Response:
            if single:
                repeated = repeated_parameters(single, request.query_params.getlist)
                if repeated:
                    raise RequestValidationError(
                        [
                            {"type": "repeated", "loc": ("query", name), "msg": messages[0]}
                            for name, messages in repeated.items()
                        ]
                    )
            if takes_body and _is_json(request.headers.get("content-type")):
                await _parse_json_strictly(request)
            return await handler(request)

        return strict_handler


async def _parse_json_strictly(request: Request) -> None:
    body = await request.body()
    if not body:
        return
    try:
        value = parse_json_body(body)
    except ValueError as exc:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": f"Invalid JSON body: {exc}."}]
        ) from None
    # What `Request.json()` returns from now on, instead of parsing the body again.
    request._json = value


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return True  # FastAPI may read a body that names no content type as JSON too
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _single_value_query_parameters(dependant: Dependant) -> Iterator[str]:
    for field in dependant.query_params:
        if not _is_sequence(field.field_info.annotation):
            yield field.alias
    for dependency in dependant.dependencies:
        yield from _single_value_query_parameters(dependency)


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return any(_is_sequence(argument) for argument in get_args(annotation))
    return origin in _SEQUENCES or annotation in _SEQUENCES
