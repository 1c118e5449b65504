from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.model.task_outbox import TaskOutboxEntry
from app.repository.database import SessionFactory
from app.repository.task_outbox_repository import OutboxTask


class TaskOutboxRepositoryImpl:
    """The outbox in the `task_outbox` table.

    Relays claim rows with `SELECT ... FOR UPDATE SKIP LOCKED`: on PostgreSQL, several workers
    relay side by side and never hand out one row twice. SQLite has no row locks (SQLAlchemy
    leaves the clause out); run a single worker on it.
    """

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    def add(
        self, task_name: str, args: Sequence[Any], request_id: str | None, now: datetime
    ) -> None:
        with self._session_factory.begin() as session:
            session.add(
                TaskOutboxEntry(
                    task_name=task_name,
                    args=list(args),
                    request_id=request_id,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )

    def relay_due(
        self,
        now: datetime,
        limit: int,
        publish: Callable[[OutboxTask], bool],
        retry_at: Callable[[int], datetime],
    ) -> int:
        statement = (
            select(TaskOutboxEntry)
            .where(TaskOutboxEntry.next_attempt_at <= now)
            .order_by(TaskOutboxEntry.next_attempt_at, TaskOutboxEntry.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        published = 0
        with self._session_factory.begin() as session:
            for entry in session.scalars(statement).all():
                task = OutboxTask(
                    id=entry.id,
                    task_name=entry.task_name,
                    args=list(entry.args),
                    request_id=entry.request_id,
                    attempts=entry.attempts,
                )
                if not publish(task):
                    entry.attempts += 1
                    entry.next_attempt_at = retry_at(entry.attempts)
                    break
                session.delete(entry)
                published += 1
        return published

    def count(self) -> int:
        with self._session_factory() as session:
            return session.scalar(select(func.count()).select_from(TaskOutboxEntry)) or 0
