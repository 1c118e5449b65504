from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError

from app.core.errors import ConflictError
from app.model.user import User
from app.repository.database import SessionFactory


class UserRepositoryImpl:
    """SQLAlchemy repository; each call runs in its own session and transaction."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    def get_by_id(self, user_id: int) -> User | None:
        with self._session_factory() as session:
            return session.get(User, user_id)

    def get_by_email(self, email: str) -> User | None:
        with self._session_factory() as session:
            return session.scalar(select(User).where(User.email == email))

    def add(self, user: User) -> User:
        try:
            with self._session_factory.begin() as session:
                session.add(user)
        except IntegrityError as exc:
            # Only a unique value another user holds is the caller's conflict; any other
            # violation is a bug.
            conflict = self._taken(vars(user), None)
            if conflict is None:
                raise
            raise conflict from exc
        return user

    def update(self, user_id: int, changes: Mapping[str, Any]) -> User | None:
        statement = (
            update(User)
            .where(User.id == user_id)
            .values(dict(changes))
            .returning(User)
            .execution_options(synchronize_session=False)
        )
        try:
            with self._session_factory.begin() as session:
                return session.scalars(statement).one_or_none()
        except IntegrityError as exc:
            conflict = self._taken(changes, user_id)
            if conflict is None:
                raise
            raise conflict from exc

    def _taken(self, values: Mapping[str, Any], user_id: int | None) -> ConflictError | None:
        """The conflict of a unique value in `values` that another user already holds."""
        with self._session_factory() as session:
            for column in inspect(User).columns:
                value = values.get(column.key)
                if not column.unique or value is None:
                    continue
                holder = session.scalar(select(User.id).where(column == value))
                if holder is not None and holder != user_id:
                    if column.key == "email":
                        return ConflictError("Email is already registered", {"field": "email"})
                    label = column.key.replace("_", " ").capitalize()
                    return ConflictError(f"{label} is already taken", {"field": column.key})
        return None
