"""The outbox relay: publishes the tasks stored while the broker was down, once it is back.

It runs in the Celery worker's main process, as a daemon thread started when the worker is
ready and stopped when it shuts down, every `OUTBOX_RELAY_INTERVAL_SECONDS`. Each round hands
at most `BATCH_SIZE` due rows to the broker and deletes each one it published; a row the broker
still refuses ends the round and is tried again after a backoff that doubles per attempt.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

from app.model.base import utc_now
from app.repository.task_outbox_repository import OutboxTask, TaskOutboxRepository
from app.tasks.celery_app import celery_app
from app.tasks.task_queue_impl import BROKER_ERRORS, publish

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_BACKOFF_SECONDS = 300.0


class OutboxRelay:
    """Publishes the due tasks of `outbox` on `app`: once per `relay_once`, or in a thread."""

    def __init__(
        self,
        outbox: TaskOutboxRepository,
        app: Celery,
        *,
        interval_seconds: float,
        close: Callable[[], None] | None = None,
    ) -> None:
        """`close` releases what the relay holds (its database engine) once it has stopped."""
        self._outbox = outbox
        self._app = app
        self.interval_seconds = interval_seconds
        self._close = close
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def relay_once(self) -> int:
        """Publish the tasks that are due now; returns how many were published."""
        return self._outbox.relay_due(utc_now(), BATCH_SIZE, self._publish, self._retry_at)

    def _publish(self, task: OutboxTask) -> bool:
        try:
            publish(self._app, task.task_name, task.args, task.request_id)
        except BROKER_ERRORS as exc:
            logger.warning(
                "Outbox: could not publish %s (id %s, attempt %s): %s",
                task.task_name,
                task.id,
                task.attempts + 1,
                type(exc).__name__,
            )
            return False
        except Exception:
            # Anything else is this row's failure too: the round keeps what it published.
            logger.exception("Outbox: publishing %s (id %s) failed", task.task_name, task.id)
            return False
        return True

    def _retry_at(self, attempts: int) -> datetime:
        backoff = min(self.interval_seconds * 2 ** min(attempts, 16), MAX_BACKOFF_SECONDS)
        return utc_now() + timedelta(seconds=backoff)

    def start(self) -> None:
        """Relay every `interval_seconds` in a daemon thread until `stop`."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self, timeout_seconds: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_seconds)
            self._thread = None
        if self._close is not None:
            self._close()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval_seconds):
            try:
                published = self.relay_once()
            except Exception:
                # The database may be down: try again next round.
                logger.exception("Outbox relay round failed")
                continue
            if published:
                logger.info("Outbox: published %s stored task(s)", published)


_relay: OutboxRelay | None = None


@worker_ready.connect
def _start_relay(sender: Any = None, **_: Any) -> None:
    # Imported at call time: the composition root imports this package.
    from app.wiring import build_outbox_relay

    global _relay
    _stop_relay()
    app: Celery = getattr(sender, "app", None) or celery_app
    _relay = build_outbox_relay(app)
    _relay.start()


@worker_shutdown.connect
def _stop_relay(**_: Any) -> None:
    global _relay
    if _relay is not None:
        _relay.stop()
        _relay = None
