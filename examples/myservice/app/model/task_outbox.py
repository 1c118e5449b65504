from datetime import datetime
from typing import Any

from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.model.base import JSON_VALUE, Base, BigIntId, utc_now


class TaskOutboxEntry(Base):
    """A task whose publish failed (broker down), kept until the outbox relay has published it."""

    __tablename__ = "task_outbox"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    task_name: Mapped[str] = mapped_column(String(200))
    args: Mapped[list[Any]] = mapped_column(JSON_VALUE)
    """The task's positional arguments, as the JSON its message would carry."""
    request_id: Mapped[str | None] = mapped_column(String(128))
    """The id of the request that scheduled the task, sent on as the message's header."""
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    """How many times the relay failed to publish it."""
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, server_default=func.now())

    def __repr__(self) -> str:
        # Never the arguments: they are the task's data (addresses, message bodies).
        return (
            f"TaskOutboxEntry(id={self.id!r}, task_name={self.task_name!r}, "
            f"attempts={self.attempts!r})"
        )
