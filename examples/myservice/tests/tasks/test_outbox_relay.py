import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from celery import Celery
from sqlalchemy import select

from app.config.settings import Settings
from app.model.task_outbox import TaskOutboxEntry
from app.repository.database import create_db_engine, create_session_factory
from app.repository.task_outbox_repository_impl import TaskOutboxRepositoryImpl
from app.tasks import outbox_relay
from app.tasks.celery_app import celery_app, configure_celery, create_celery_app
from app.tasks.email_tasks import send_email
from app.tasks.outbox_relay import MAX_BACKOFF_SECONDS, OutboxRelay
from app.tasks.task_queue_impl import CeleryTaskQueue
from app.wiring import Container, build_outbox_relay, set_container
from tests.conftest import JsonDict, isolated_settings
from tests.fakes.fake_mailer import RecordingMailer

# Nothing listens on port 1: connections are refused at once.
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"
UNREACHABLE_DATABASE_URL = "postgresql+psycopg://nobody@127.0.0.1:1/none"
EMAIL = ("linus@example.com", "Hello", "Hello Linus,\n\nthis is a test.\n")
DEADLINE_SECONDS = 30


@pytest.fixture
def outbox(container: Container) -> TaskOutboxRepositoryImpl:
    return TaskOutboxRepositoryImpl(container.sessions())


@pytest.fixture
def broker_down_app() -> Celery:
    """A Celery app whose broker refuses connections."""
    app = create_celery_app()
    configure_celery(app, isolated_settings(app_env="test", redis_url=UNREACHABLE_REDIS_URL))
    return app


@pytest.fixture
def test_app(settings: Settings) -> Celery:
    """A Celery app on the test broker: the test Redis, or eager without one."""
    app = create_celery_app()
    configure_celery(app, settings)
    return app


@pytest.fixture
def mailer(container: Container) -> Iterator[RecordingMailer]:
    recorder = RecordingMailer()
    set_container(dataclasses.replace(container, mailer=recorder))
    yield recorder
    set_container(container)


def stored(container: Container) -> list[TaskOutboxEntry]:
    with container.sessions()() as session:
        return list(session.scalars(select(TaskOutboxEntry).order_by(TaskOutboxEntry.id)))


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_task_the_broker_refuses_is_stored_promptly(
    broker_down_app: Celery,
    outbox: TaskOutboxRepositoryImpl,
    container: Container,
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="app.tasks.task_queue_impl"):
        CeleryTaskQueue(broker_down_app, outbox).send_email(*EMAIL)
    assert time.monotonic() - started < 5
    [row] = stored(container)
    assert (row.task_name, row.args, row.attempts) == (send_email.name, list(EMAIL), 0)
    assert "to l***@example.com" in caplog.text
    assert "storing it in the outbox" in caplog.text
    assert "linus@" not in caplog.text
    assert "Hello Linus" not in caplog.text


def test_a_task_that_cannot_be_stored_either_is_logged(
    broker_down_app: Celery, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_db_engine(UNREACHABLE_DATABASE_URL)
    try:
        unreachable = TaskOutboxRepositoryImpl(create_session_factory(engine))
        with caplog.at_level(logging.ERROR, logger="app.tasks.task_queue_impl"):
            CeleryTaskQueue(broker_down_app, unreachable).send_email(*EMAIL)
    finally:
        engine.dispose()
    assert "Could not store app.tasks.email_tasks.send_email to l***@example.com" in caplog.text
    assert "linus@" not in caplog.text


def test_the_relay_publishes_and_deletes_stored_tasks(
    test_app: Celery,
    outbox: TaskOutboxRepositoryImpl,
    mailer: RecordingMailer,
    settings: Settings,
) -> None:
    outbox.add(send_email.name, EMAIL, "req-7", datetime.now(UTC))
    relay = OutboxRelay(outbox, test_app, interval_seconds=5)
    assert relay.relay_once() == 1
    assert outbox.count() == 0
    if settings.redis_url is None:
        # Eager: publishing ran the task in-process.
        assert mailer.sent == [EMAIL]
        return
    with redis.Redis.from_url(settings.redis_url.get_secret_value()) as client:
        message = json.loads(client.lpop("celery") or b"{}")
    assert message["headers"]["task"] == send_email.name
    assert message["headers"]["request_id"] == "req-7"


def test_the_relay_keeps_a_task_while_the_broker_is_still_down(
    broker_down_app: Celery,
    outbox: TaskOutboxRepositoryImpl,
    container: Container,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox.add(send_email.name, EMAIL, None, datetime.now(UTC))
    relay = OutboxRelay(outbox, broker_down_app, interval_seconds=5)
    before = datetime.now(UTC)
    with caplog.at_level(logging.WARNING, logger="app.tasks.outbox_relay"):
        assert relay.relay_once() == 0
    [row] = stored(container)
    assert row.attempts == 1
    assert before + timedelta(seconds=9) <= row.next_attempt_at
    assert row.next_attempt_at <= datetime.now(UTC) + timedelta(seconds=10)
    assert "could not publish app.tasks.email_tasks.send_email" in caplog.text
    assert "linus@" not in caplog.text
    # Not due yet: the next round leaves it alone.
    assert relay.relay_once() == 0
    assert stored(container)[0].attempts == 1


def test_an_unexpected_publish_error_keeps_that_row_and_what_was_published(
    test_app: Celery,
    outbox: TaskOutboxRepositoryImpl,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox.add(send_email.name, EMAIL, "req-1", datetime.now(UTC))
    outbox.add(send_email.name, EMAIL, "req-2", datetime.now(UTC))
    published: list[str | None] = []

    def publish_one_then_fail(
        app: Celery, task_name: str, args: object, request_id: str | None
    ) -> None:
        if published:
            raise RuntimeError("serializer exploded")
        published.append(request_id)

    monkeypatch.setattr(outbox_relay, "publish", publish_one_then_fail)
    relay = OutboxRelay(outbox, test_app, interval_seconds=5)
    with caplog.at_level(logging.ERROR, logger="app.tasks.outbox_relay"):
        assert relay.relay_once() == 1
    [row] = stored(container)
    assert (row.request_id, row.attempts) == ("req-2", 1)
    assert published == ["req-1"]
    assert "publishing app.tasks.email_tasks.send_email" in caplog.text


def test_the_backoff_doubles_up_to_a_bound(
    broker_down_app: Celery, outbox: TaskOutboxRepositoryImpl
) -> None:
    relay = OutboxRelay(outbox, broker_down_app, interval_seconds=5)

    def backoff(attempts: int) -> float:
        return (relay._retry_at(attempts) - datetime.now(UTC)).total_seconds()

    assert 9 < backoff(1) <= 10
    assert 19 < backoff(2) <= 20
    assert MAX_BACKOFF_SECONDS - 1 < backoff(1000) <= MAX_BACKOFF_SECONDS


def test_the_relay_thread_publishes_until_stopped(
    test_app: Celery, outbox: TaskOutboxRepositoryImpl, mailer: RecordingMailer
) -> None:
    closed: list[bool] = []
    relay = OutboxRelay(outbox, test_app, interval_seconds=0.05, close=lambda: closed.append(True))
    relay.start()
    relay.start()  # already running: no second thread
    try:
        outbox.add(send_email.name, EMAIL, None, datetime.now(UTC))
        wait_until(lambda: outbox.count() == 0)
    finally:
        relay.stop()
    assert closed == [True]


def test_a_failed_round_is_logged_and_the_relay_carries_on(
    test_app: Celery, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_db_engine(UNREACHABLE_DATABASE_URL)
    outbox = TaskOutboxRepositoryImpl(create_session_factory(engine))
    relay = OutboxRelay(outbox, test_app, interval_seconds=0.01, close=engine.dispose)
    with caplog.at_level(logging.ERROR, logger="app.tasks.outbox_relay"):
        relay.start()
        try:
            wait_until(lambda: caplog.text.count("Outbox relay round failed") >= 2)
        finally:
            relay.stop()


def test_the_worker_runs_the_relay_between_ready_and_shutdown(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, container: Container
) -> None:
    monkeypatch.setattr("app.wiring.get_settings", lambda: settings)
    outbox_relay._start_relay(sender=None)
    try:
        relay = outbox_relay._relay
        assert relay is not None
        assert relay.interval_seconds == settings.outbox_relay_interval_seconds
    finally:
        outbox_relay._stop_relay()
    assert outbox_relay._relay is None


def test_the_relay_publishes_on_the_given_app(settings: Settings, test_app: Celery) -> None:
    relay = build_outbox_relay(test_app, settings)
    try:
        assert relay._app is test_app
    finally:
        relay.stop()


@pytest.fixture
def broker_down(settings: Settings) -> Iterator[None]:
    """Point the process-wide Celery app at a Redis that refuses connections."""
    configure_celery(celery_app, isolated_settings(app_env="test", redis_url=UNREACHABLE_REDIS_URL))
    yield
    configure_celery(celery_app, settings)


@pytest.mark.usefixtures("broker_down")
def test_registration_while_the_broker_is_down_stores_the_welcome_email(
    register_user: Callable[..., JsonDict], container: Container
) -> None:
    started = time.monotonic()
    register_user("outage@example.com", "Out Age")  # asserts the 201
    assert time.monotonic() - started < 5
    [row] = stored(container)
    assert row.task_name == send_email.name
    to, subject, body = row.args
    assert to == "outage@example.com"
    assert subject.startswith("Welcome to ")
    assert "Out Age" in body
