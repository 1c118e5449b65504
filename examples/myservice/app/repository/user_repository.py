from collections.abc import Mapping
from typing import Any, Protocol

from app.model.user import User


class UserRepository(Protocol):
    def get_by_id(self, user_id: int) -> User | None: ...

    def get_by_email(self, email: str) -> User | None: ...

    def add(self, user: User) -> User:
        """Persist a new user; raise ConflictError when the email is taken."""
        ...

    def update(self, user_id: int, changes: Mapping[str, Any]) -> User | None:
        """Change the given columns; None when the user is gone, ConflictError when a new email is
        taken."""
        ...
