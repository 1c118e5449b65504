from collections.abc import Mapping
from itertools import count
from typing import Any

from app.core.errors import ConflictError
from app.model.base import utc_now
from app.model.user import User


class InMemoryUserRepository:
    """UserRepository over a dict, with the same conflict semantics as the SQL implementation."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.get_by_id_calls = 0
        self._ids = count(1)

    def get_by_id(self, user_id: int) -> User | None:
        self.get_by_id_calls += 1
        return self.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        return next((user for user in self.users.values() if user.email == email), None)

    def add(self, user: User) -> User:
        if self.get_by_email(user.email) is not None:
            raise ConflictError("Email is already registered", {"field": "email"})
        user.id = next(self._ids)
        user.created_at = user.updated_at = utc_now()
        self.users[user.id] = user
        return user

    def update(self, user_id: int, changes: Mapping[str, Any]) -> User | None:
        user = self.users.get(user_id)
        if user is None:
            return None
        email = changes.get("email")
        taken = self.get_by_email(email) if isinstance(email, str) else None
        if taken is not None and taken.id != user_id:
            raise ConflictError("Email is already registered", {"field": "email"})
        for name, value in changes.items():
            setattr(user, name, value)
        user.updated_at = utc_now()
        return user
