import logging
import time
from typing import Any

from celery import Celery
from kombu.exceptions import KombuError
from redis import RedisError

from app.core.logging import request_id_var
from app.tasks import user_tasks
from app.tasks.celery_app import REQUEST_ID_HEADER, celery_app

logger = logging.getLogger(__name__)

# What an unreachable or failing broker raises while a message is published.
BROKER_ERRORS = (KombuError, RedisError, OSError)


class CeleryTaskQueue:
    """Schedules tasks on Celery. Delivery is best effort: a broker outage is logged, not raised,
    and costs the caller a bounded wait (see the publish retry policy in `celery_app`)."""

    def __init__(self, app: Celery | None = None) -> None:
        self._app = app or celery_app

    def send_welcome_email(self, user_id: int) -> None:
        self._send(user_tasks.send_welcome_email.name, user_id)

    def _send(self, task_name: str, *args: Any) -> None:
        started = time.perf_counter()
        try:
            request_id = request_id_var.get()
            headers = {REQUEST_ID_HEADER: request_id} if request_id else {}
            self._app.signature(task_name, args=args).apply_async(headers=headers)
        except BROKER_ERRORS:
            logger.exception(
                "Could not enqueue %s with arguments %s",
                task_name,
                args,
                extra={
                    "task": task_name,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
