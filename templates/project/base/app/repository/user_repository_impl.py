from sqlalchemy import select
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
            # Only a taken email is the caller's conflict; any other violation is a bug.
            if self.get_by_email(user.email) is None:
                raise
            raise ConflictError("Email is already registered", {"field": "email"}) from exc
        return user
