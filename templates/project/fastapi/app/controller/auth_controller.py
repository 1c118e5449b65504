from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from app.controller.errors import UNAUTHORIZED, VALIDATION, responses
from app.controller.routing import StrictRoute
from app.core.client_address import rest_client
from app.dto.auth_dto import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserResponse,
)
from app.middleware.auth import CurrentUserId
from app.middleware.container import ContainerDep
from app.service.auth_service import AuthService

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=StrictRoute)


def _auth_service(container: ContainerDep) -> AuthService:
    return container.auth_service


Service = Annotated[AuthService, Depends(_auth_service)]
TOO_MANY = (429, "Too many attempts; `Retry-After` says how many seconds to wait")


def _client_address(request: Request, container: ContainerDep) -> str | None:
    """The address the rate limits count (`TRUSTED_PROXY_HOPS` says whom to believe)."""
    remote = request.client.host if request.client else None
    forwarded_for = request.headers.get("X-Forwarded-For")
    return rest_client(remote, forwarded_for, container.settings.trusted_proxy_hops)


ClientAddress = Annotated[str | None, Depends(_client_address)]


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserResponse,
    responses=responses((409, "Email already registered"), TOO_MANY, VALIDATION),
)
def register(payload: RegisterRequest, service: Service, client: ClientAddress) -> UserResponse:
    """Create an account."""
    return service.register(payload, client)


@router.post(
    "/login",
    response_model=TokenPair,
    responses=responses((401, "Bad credentials"), TOO_MANY, VALIDATION),
)
def login(payload: LoginRequest, service: Service, client: ClientAddress) -> TokenPair:
    """Exchange credentials for an access and a refresh token."""
    return service.login(payload, client)


@router.post(
    "/refresh",
    response_model=TokenPair,
    responses=responses((401, "Invalid token"), VALIDATION),
)
def refresh(payload: RefreshRequest, service: Service) -> TokenPair:
    """Exchange a refresh token for a new token pair."""
    return service.refresh(payload)


@router.get("/me", response_model=UserResponse, responses=responses(UNAUTHORIZED))
def me(user_id: CurrentUserId, service: Service) -> UserResponse:
    """The authenticated user."""
    return service.get_user(user_id)


@router.patch(
    "/me",
    response_model=UserResponse,
    responses=responses(UNAUTHORIZED, (409, "Email already registered"), VALIDATION),
)
def update_me(payload: UpdateMeRequest, user_id: CurrentUserId, service: Service) -> UserResponse:
    """Change the authenticated user's own fields; only those present change."""
    return service.update_me(user_id, payload)
