from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class OutboxTask:
    """A stored task, as the relay publishes it."""

    id: int
    task_name: str
    args: list[Any]
    request_id: str | None
    attempts: int


class TaskOutboxRepository(Protocol):
    """Tasks that could not be published, kept in the database until they are."""

    def add(
        self, task_name: str, args: Sequence[Any], request_id: str | None, now: datetime
    ) -> None:
        """Store one task, due at once (`now`)."""
        ...

    def relay_due(
        self,
        now: datetime,
        limit: int,
        publish: Callable[[OutboxTask], bool],
        retry_at: Callable[[int], datetime],
    ) -> int:
        """Hand up to `limit` tasks due at `now` (oldest first) to `publish`, in one transaction.

        A task `publish` returns True for is deleted. The first one it returns False for gets
        one more attempt, due at `retry_at(attempts)`, and ends the batch: the rest is left for
        the next call. Tasks another relay is handing out are skipped, not waited for
        (PostgreSQL). Returns how many tasks were published.
        """
        ...

    def count(self) -> int:
        """How many tasks are stored."""
        ...
