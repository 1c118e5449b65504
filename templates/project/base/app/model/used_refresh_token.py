from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.model.base import Base


class UsedRefreshToken(Base):
    """The id of a refresh token that was exchanged, kept until the token would have expired."""

    __tablename__ = "used_refresh_tokens"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"UsedRefreshToken(token_id={self.token_id!r}, expires_at={self.expires_at!r})"
