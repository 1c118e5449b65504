from http import HTTPStatus
from typing import Any

from flask import request
from flask_smorest import Blueprint

from app.controller.schemas.auth_schema import (
    LoginSchema,
    RefreshSchema,
    RegisterSchema,
    TokenPairSchema,
    UpdateMeSchema,
    UserSchema,
)
from app.controller.schemas.error_schema import ErrorSchema
from app.core.client_address import rest_client
from app.dto.auth_dto import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserResponse,
)
from app.dto.validation import parse_dto
from app.middleware.auth import BEARER_AUTH, current_user_id, jwt_required
from app.middleware.container import current_container
from app.service.auth_service import AuthService

TOO_MANY = "Too many attempts; `Retry-After` says how many seconds to wait"

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and tokens")


def _auth_service() -> AuthService:
    return current_container().auth_service


def _client_address() -> str | None:
    """The address the rate limits count (`TRUSTED_PROXY_HOPS` says whom to believe)."""
    hops = current_container().settings.trusted_proxy_hops
    return rest_client(request.remote_addr, request.headers.get("X-Forwarded-For"), hops)


@blp.route("/register", methods=["POST"])
@blp.arguments(RegisterSchema)
@blp.response(HTTPStatus.CREATED, UserSchema)
@blp.alt_response(HTTPStatus.CONFLICT, schema=ErrorSchema, description="Email already registered")
@blp.alt_response(HTTPStatus.TOO_MANY_REQUESTS, schema=ErrorSchema, description=TOO_MANY)
def register(payload: dict[str, Any]) -> UserResponse:
    """Create an account."""
    return _auth_service().register(parse_dto(RegisterRequest, payload), _client_address())


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(HTTPStatus.OK, TokenPairSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description="Bad credentials")
@blp.alt_response(HTTPStatus.TOO_MANY_REQUESTS, schema=ErrorSchema, description=TOO_MANY)
def login(payload: dict[str, Any]) -> TokenPair:
    """Exchange credentials for an access and a refresh token."""
    return _auth_service().login(parse_dto(LoginRequest, payload), _client_address())


@blp.route("/refresh", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(HTTPStatus.OK, TokenPairSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description="Invalid token")
def refresh(payload: dict[str, Any]) -> TokenPair:
    """Exchange a refresh token for a new token pair."""
    return _auth_service().refresh(parse_dto(RefreshRequest, payload))


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER_AUTH)
@blp.response(HTTPStatus.OK, UserSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description="Missing/invalid token")
@jwt_required
def me() -> UserResponse:
    """The authenticated user."""
    return _auth_service().get_user(current_user_id())


@blp.route("/me", methods=["PATCH"])
@jwt_required
@blp.doc(security=BEARER_AUTH)
@blp.arguments(UpdateMeSchema)
@blp.response(HTTPStatus.OK, UserSchema)
@blp.alt_response(HTTPStatus.UNAUTHORIZED, schema=ErrorSchema, description="Missing/invalid token")
@blp.alt_response(HTTPStatus.CONFLICT, schema=ErrorSchema, description="Email already registered")
def update_me(payload: dict[str, Any]) -> UserResponse:
    """Change the authenticated user's own fields; only those present change."""
    return _auth_service().update_me(current_user_id(), parse_dto(UpdateMeRequest, payload))
