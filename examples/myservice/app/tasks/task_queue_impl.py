import logging
import time
from collections.abc import Sequence
from typing import Any

from celery import Celery
from kombu.exceptions import KombuError
from redis import RedisError

from app.core.logging import request_id_var
from app.model.base import utc_now
from app.repository.task_outbox_repository import TaskOutboxRepository
from app.tasks import email_tasks
from app.tasks.celery_app import TASK_REQUEST_ID_HEADER, celery_app
from app.tasks.mailer_impl import mask_email

logger = logging.getLogger(__name__)

# What an unreachable or failing broker raises while a message is published.
BROKER_ERRORS = (KombuError, RedisError, OSError)


def publish(app: Celery, task_name: str, args: Sequence[Any], request_id: str | None) -> None:
    """Publish one task message; raises one of BROKER_ERRORS when the broker cannot take it."""
    headers = {TASK_REQUEST_ID_HEADER: request_id} if request_id else {}
    app.signature(task_name, args=tuple(args)).apply_async(headers=headers)


class CeleryTaskQueue:
    """Schedules tasks on Celery; scheduling never fails the caller.

    A task the broker cannot take (it is down: a bounded wait, see the publish retry policy in
    `celery_app`) is stored in `outbox`, which the worker's outbox relay publishes once the
    broker is back. Without an outbox (a process with no database) it is logged and dropped.
    """

    def __init__(
        self, app: Celery | None = None, outbox: TaskOutboxRepository | None = None
    ) -> None:
        self._app = app or celery_app
        self._outbox = outbox

    def send_email(self, to: str, subject: str, body: str) -> None:
        self._send(email_tasks.send_email.name, (to, subject, body), f"to {mask_email(to)}")

    def _send(self, task_name: str, args: tuple[Any, ...], description: str) -> None:
        """Publish one task; failures are logged with `description`, never with the arguments."""
        started = time.perf_counter()
        request_id = request_id_var.get()
        try:
            publish(self._app, task_name, args, request_id)
            return
        except BROKER_ERRORS as exc:
            extra = {
                "task": task_name,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            }
            if self._outbox is None:
                logger.exception("Could not enqueue %s %s", task_name, description, extra=extra)
                return
            logger.warning(
                "Could not enqueue %s %s (%s): storing it in the outbox",
                task_name,
                description,
                type(exc).__name__,
                extra=extra,
            )
        try:
            self._outbox.add(task_name, args, request_id, utc_now())
        except Exception:
            logger.exception("Could not store %s %s in the outbox", task_name, description)
