import logging
import time
from typing import Any

from celery import Celery
from kombu.exceptions import KombuError
from redis import RedisError

from app.core.logging import request_id_var
from app.tasks import email_tasks
from app.tasks.celery_app import TASK_REQUEST_ID_HEADER, celery_app
from app.tasks.mailer_impl import mask_email

logger = logging.getLogger(__name__)

# What an unreachable or failing broker raises while a message is published.
BROKER_ERRORS = (KombuError, RedisError, OSError)


class CeleryTaskQueue:
    """Schedules tasks on Celery. Delivery is best effort: a broker outage is logged, not raised,
    and costs the caller a bounded wait (see the publish retry policy in `celery_app`)."""

    def __init__(self, app: Celery | None = None) -> None:
        self._app = app or celery_app

    def send_email(self, to: str, subject: str, body: str) -> None:
        self._send(email_tasks.send_email.name, (to, subject, body), f"to {mask_email(to)}")

    def _send(self, task_name: str, args: tuple[Any, ...], description: str) -> None:
        """Publish one task; a failure is logged with `description`, never with the arguments."""
        started = time.perf_counter()
        try:
            request_id = request_id_var.get()
            headers = {TASK_REQUEST_ID_HEADER: request_id} if request_id else {}
            self._app.signature(task_name, args=args).apply_async(headers=headers)
        except BROKER_ERRORS:
            logger.exception(
                "Could not enqueue %s %s",
                task_name,
                description,
                extra={
                    "task": task_name,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
