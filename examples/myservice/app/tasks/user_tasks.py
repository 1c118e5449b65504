import logging
from typing import TYPE_CHECKING

from celery import Task

from app.core.errors import NotFoundError
from app.tasks.celery_app import celery_app

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
def send_welcome_email(self: Task[[int], None], user_id: int) -> None:
    container = _container()
    try:
        user = container.auth_service.get_user(user_id)
        container.mailer.send_welcome(user.email, user.full_name)
    except NotFoundError:
        logger.warning("Welcome email skipped: user %s does not exist", user_id)
    except Exception as exc:
        attempt = self.request.retries + 1
        logger.warning(
            "Welcome email for user %s failed (attempt %s)", user_id, attempt, exc_info=True
        )
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
