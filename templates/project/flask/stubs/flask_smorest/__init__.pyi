# Type stubs for the parts of flask-smorest this project uses (the package ships none).
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, NoReturn, TypeVar

import flask
from apispec import APISpec
from marshmallow import Schema

_F = TypeVar("_F", bound=Callable[..., Any])
_Status = int | str | HTTPStatus
_SchemaRef = type[Schema] | Schema | str | dict[str, Any] | None

class Api:
    ERROR_SCHEMA: type[Schema]
    spec: APISpec
    def __init__(
        self,
        app: flask.Flask | None = None,
        *,
        spec_kwargs: Mapping[str, Any] | None = None,
        config_prefix: str = "",
    ) -> None: ...
    def init_app(
        self, app: flask.Flask, *, spec_kwargs: Mapping[str, Any] | None = None
    ) -> None: ...
    def register_blueprint(
        self,
        blp: Blueprint,
        *,
        parameters: Sequence[Mapping[str, Any]] | None = None,
        **options: Any,
    ) -> None: ...

class Blueprint(flask.Blueprint):
    def __init__(
        self,
        name: str,
        import_name: str,
        *,
        url_prefix: str | None = None,
        description: str = "",
        **kwargs: Any,
    ) -> None: ...
    def route(
        self,
        rule: str,
        *,
        parameters: Sequence[Mapping[str, Any] | str] | None = None,
        tags: Sequence[str] | None = None,
        **options: Any,
    ) -> Callable[[_F], _F]: ...
    def arguments(
        self,
        schema: type[Schema] | Schema,
        *,
        location: str = "json",
        content_type: str | None = None,
        required: bool = True,
        description: str | None = None,
        example: Any = None,
        examples: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Callable[[_F], _F]: ...
    def response(
        self,
        status_code: _Status,
        schema: _SchemaRef = None,
        *,
        content_type: str | None = None,
        description: str | None = None,
        example: Any = None,
        examples: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> Callable[[_F], _F]: ...
    def alt_response(
        self,
        status_code: _Status,
        response: str | None = None,
        *,
        schema: _SchemaRef = None,
        content_type: str | None = None,
        description: str | None = None,
        example: Any = None,
        examples: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        success: bool = False,
    ) -> Callable[[_F], _F]: ...
    @staticmethod
    def doc(**kwargs: Any) -> Callable[[_F], _F]: ...

def abort(http_status_code: int, exc: Exception | None = None, **kwargs: Any) -> NoReturn: ...
