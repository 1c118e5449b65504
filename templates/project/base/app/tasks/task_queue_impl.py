import logging

from kombu.exceptions import OperationalError

from app.tasks import user_tasks

logger = logging.getLogger(__name__)


class CeleryTaskQueue:
    def send_welcome_email(self, user_id: int) -> None:
        try:
            user_tasks.send_welcome_email.delay(user_id)
        except OperationalError:
            logger.exception("Could not enqueue the welcome email for user %s", user_id)
