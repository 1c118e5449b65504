"""Bearer-token guard for REST views."""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar, cast

from flask import g, request

from app.core.security import bearer_token
from app.middleware.container import current_container

P = ParamSpec("P")
R = TypeVar("R")

BEARER_AUTH: list[dict[str, list[str]]] = [{"bearerAuth": []}]
"""OpenAPI security requirement for views guarded by `jwt_required`."""


def jwt_required(view: Callable[P, R]) -> Callable[P, R]:
    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = bearer_token(request.headers.get("Authorization"))
        g.user_id = current_container().auth_service.authenticate(token)
        return view(*args, **kwargs)

    return wrapper


def current_user_id() -> int:
    """The id of the authenticated user; only valid inside a `jwt_required` view."""
    return cast(int, g.user_id)
