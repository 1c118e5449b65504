from typing import Protocol

from app.dto.auth_dto import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserResponse,
)


class AuthService(Protocol):
    def register(self, data: RegisterRequest, client_address: str | None = None) -> UserResponse:
        """Create an account and schedule its welcome email; ConflictError if the email is taken.

        TooManyRequestsError when `client_address` (None: an internal caller, not limited) made
        too many registrations lately.
        """
        ...

    def login(self, data: LoginRequest, client_address: str | None = None) -> TokenPair:
        """Issue a token pair; UnauthorizedError on bad credentials or an inactive account.

        TooManyRequestsError after too many failures on the account, or from `client_address`
        (None: an internal caller, limited per account only), within the window.
        """
        ...

    def refresh(self, data: RefreshRequest) -> TokenPair:
        """Exchange a valid, unused refresh token for a new pair; each refresh token works once."""
        ...

    def get_user(self, user_id: int) -> UserResponse:
        """Return the user (read-through cached); NotFoundError if there is none."""
        ...

    def update_me(self, user_id: int, data: UpdateMeRequest) -> UserResponse:
        """Change the fields present in `data` on the user's own account; ValidationFailedError if
        none is present, ConflictError if the new email is taken, NotFoundError if the user is
        gone."""
        ...

    def authenticate(self, access_token: str) -> int:
        """Return the id of the active user owning a valid access token, else UnauthorizedError."""
        ...
