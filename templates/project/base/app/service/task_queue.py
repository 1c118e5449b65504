from typing import Protocol


class TaskQueue(Protocol):
    """Background jobs the services schedule; delivery is best effort and never blocks a request."""

    def send_email(self, to: str, subject: str, body: str) -> None: ...
