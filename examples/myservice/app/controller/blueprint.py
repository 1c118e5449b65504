"""The Blueprint of resource controllers: flask-smorest's, with a stricter query-string parser,
argument schemas built once, and documentation-only decorators that add no call per request."""

from collections.abc import Callable
from typing import Any, TypeVar

import flask
import flask_smorest
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser

from app.core.query_input import repeated_parameters


class StrictQueryParser(FlaskParser):
    """Refuses a single-value query parameter given twice (`?page=1&page=2`) with 422."""

    def load_querystring(self, req: flask.Request, schema: Schema) -> Any:
        query = self._makeproxy(req.args, schema)
        single = (
            key
            for name, field in schema.fields.items()
            if (key := field.data_key or name) not in query.multiple_keys
        )
        repeated = repeated_parameters(single, req.args.getlist)
        if repeated:
            raise ValidationError(repeated)
        return query


F = TypeVar("F", bound=Callable[..., Any])


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictQueryParser()

    def arguments(self, schema: type[Schema] | Schema, **kwargs: Any) -> Callable[[F], F]:
        """flask-smorest's, given an instance of a schema class: webargs would otherwise build
        one (copying every field) on each request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def alt_response(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        return _documentation_only(super().alt_response(*args, **kwargs))

    @staticmethod
    def doc(**kwargs: Any) -> Callable[[F], F]:
        return _documentation_only(flask_smorest.Blueprint.doc(**kwargs))


def _documentation_only(decorate: Callable[[F], F]) -> Callable[[F], F]:
    """flask-smorest's decorator, keeping the OpenAPI documentation it records on the view but
    not the wrapper it puts around it, which only passes the call through."""

    def document(view: F) -> F:
        if isinstance(view, type):  # a MethodView: its methods are decorated in place
            return decorate(view)
        view.__dict__["_apidoc"] = decorate(view).__dict__["_apidoc"]
        return view

    return document
