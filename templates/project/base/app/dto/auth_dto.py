from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.dto.types import Email

Password = Annotated[str, Field(min_length=8, max_length=128)]
FullName = Annotated[str, Field(min_length=1, max_length=100)]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    email: Email
    password: Password
    full_name: FullName


class LoginRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    email: Email
    password: Annotated[str, Field(min_length=1, max_length=128)]


class RefreshRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    refresh_token: Annotated[str, Field(min_length=1)]


class TokenPair(BaseModel):
    model_config = ConfigDict(frozen=True)

    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105  (OAuth 2 token type, not a secret)
    expires_in: int


class UserResponse(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    email: str
    full_name: str
    is_active: bool
    created_at: datetime
