"""Bearer-token guard for REST endpoints: the `CurrentUserId` dependency."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.errors import UnauthorizedError
from app.middleware.container import ContainerDep

# Documents the scheme in OpenAPI (`bearerAuth`); the checks below answer every failure with
# our 401 body instead of FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, scheme_name="bearerAuth", bearerFormat="JWT")


def current_user_id(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> int:
    """The id of the user whose access token the request carries."""
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        raise UnauthorizedError("Missing bearer token")
    return container.auth_service.authenticate(token)


CurrentUserId = Annotated[int, Depends(current_user_id)]
