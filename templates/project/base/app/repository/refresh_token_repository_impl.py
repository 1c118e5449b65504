from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError

from app.model.base import utc_now
from app.model.used_refresh_token import UsedRefreshToken
from app.repository.database import SessionFactory


class RefreshTokenRepositoryImpl:
    """Used refresh token ids in the database, so single use survives restarts.

    Every claim also removes the ids that have expired, which keeps the table as small as the
    number of refresh tokens exchanged within one refresh token lifetime.
    """

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    def claim(self, token_id: str, expires_at: datetime) -> bool:
        self.remove_expired(utc_now())
        try:
            with self._session_factory.begin() as session:
                session.add(UsedRefreshToken(token_id=token_id, expires_at=expires_at))
        except IntegrityError:
            # The primary key is the only constraint: another exchange claimed this id first.
            if not self._is_claimed(token_id):
                raise
            return False
        return True

    def remove_expired(self, now: datetime) -> int:
        with self._session_factory.begin() as session:
            statement = delete(UsedRefreshToken).where(UsedRefreshToken.expires_at <= now)
            result = cast(CursorResult[Any], session.execute(statement))
            return result.rowcount

    def _is_claimed(self, token_id: str) -> bool:
        with self._session_factory() as session:
            found = session.scalar(
                select(UsedRefreshToken.token_id).where(UsedRefreshToken.token_id == token_id)
            )
            return found is not None
