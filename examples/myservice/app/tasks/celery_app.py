"""Celery application on Redis; without REDIS_URL tasks run eagerly in-process.

Worker: `celery -A app.tasks.celery_app worker`.
"""

from typing import Any

from celery import Celery
from celery.signals import setup_logging

from app.config.settings import Settings, get_settings
from app.core.logging import configure_logging

TASK_MODULES = ["app.tasks.user_tasks"]


def create_celery_app(settings: Settings) -> Celery:
    app = Celery(
        "app", broker=settings.redis_url or "memory://localhost/", backend=settings.redis_url
    )
    app.conf.update(
        include=TASK_MODULES,
        task_always_eager=settings.redis_url is None,
        # Eager failures stay in the result: scheduling a task never fails the caller.
        task_eager_propagates=False,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=3600,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"socket_connect_timeout": 2},
        timezone="UTC",
    )
    return app


celery_app = create_celery_app(get_settings())


@setup_logging.connect
def _configure_worker_logging(**_: Any) -> None:
    configure_logging(get_settings())
