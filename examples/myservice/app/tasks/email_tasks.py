import logging
from typing import TYPE_CHECKING

from celery import Task

from app.tasks.celery_app import celery_app
from app.tasks.mailer_impl import mask_email

if TYPE_CHECKING:
    from app.wiring import Container

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


def retry_countdown(retries: int) -> int:
    """Exponential backoff in seconds: 1, 2, 4, ..."""
    return int(2**retries)


def _container() -> "Container":
    # Imported at call time: wiring imports this module to schedule tasks.
    from app.wiring import get_container

    return get_container()


@celery_app.task(bind=True, max_retries=MAX_RETRIES)
def send_email(self: Task[[str, str, str], None], to: str, subject: str, body: str) -> None:
    """Deliver one email through the container's mailer, retrying with exponential backoff."""
    try:
        _container().mailer.send(to, subject, body)
    except Exception as exc:
        attempt = self.request.retries + 1
        logger.warning("Email to %s failed (attempt %s)", mask_email(to), attempt, exc_info=True)
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
