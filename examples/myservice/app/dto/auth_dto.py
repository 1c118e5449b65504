from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.dto.types import Email, Text
from app.dto.validation import not_null

Password = Annotated[str, Field(min_length=8, max_length=128)]
FullName = Annotated[Text, Field(min_length=1, max_length=100)]


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


class UpdateMeRequest(BaseModel):
    """A partial update of the caller's own account: only the fields present change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: Email | None = None
    full_name: FullName | None = None

    @field_validator("email", "full_name")
    @classmethod
    def _required_fields_are_not_null(cls, value: object) -> object:
        return not_null(value)

    def changes(self) -> dict[str, Any]:
        """The fields present in the request, with their new values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


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
