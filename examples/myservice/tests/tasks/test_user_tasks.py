import dataclasses
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.signals import setup_logging
from kombu.exceptions import OperationalError

from app.dto.auth_dto import RegisterRequest
from app.tasks import user_tasks
from app.tasks.celery_app import celery_app
from app.tasks.task_queue_impl import CeleryTaskQueue
from app.tasks.user_tasks import MAX_RETRIES, retry_countdown, send_welcome_email
from app.wiring import Container, set_container
from tests.conftest import TEST_JWT_SECRET, TEST_PASSWORD
from tests.fakes.fake_mailer import MailerUnavailableError, RecordingMailer

REDIS_URL = os.environ.get("REDIS_URL")
WORKER_TIMEOUT_SECONDS = 60


def register(container: Container, email: str = "linus@example.com") -> int:
    request = RegisterRequest(email=email, password=TEST_PASSWORD, full_name="Linus T")
    return container.auth_service.register(request).id


@pytest.fixture
def mailer(container: Container) -> Iterator[RecordingMailer]:
    """Swap the container's mailer for a recording one for the tasks run in this process."""
    recorder = RecordingMailer()
    set_container(dataclasses.replace(container, mailer=recorder))
    yield recorder
    set_container(container)


def test_backoff_doubles_per_retry() -> None:
    assert [retry_countdown(n) for n in range(MAX_RETRIES)] == [1, 2, 4]


def test_welcome_email_is_sent_to_the_user(container: Container, mailer: RecordingMailer) -> None:
    user_id = register(container)
    mailer.sent.clear()
    result = send_welcome_email.apply(args=(user_id,))
    assert result.successful()
    assert mailer.sent == [("linus@example.com", "Linus T")]


def test_welcome_email_retries_until_the_mailer_recovers(
    container: Container, mailer: RecordingMailer
) -> None:
    user_id = register(container)
    mailer.sent.clear()
    mailer.attempts, mailer.failures = 0, 2
    result = send_welcome_email.apply(args=(user_id,))
    assert result.successful()
    assert mailer.attempts == 3
    assert mailer.sent == [("linus@example.com", "Linus T")]


def test_welcome_email_gives_up_after_max_retries(
    container: Container, mailer: RecordingMailer
) -> None:
    user_id = register(container)
    mailer.attempts, mailer.failures = 0, MAX_RETRIES + 10
    result = send_welcome_email.apply(args=(user_id,))
    assert result.failed()
    assert isinstance(result.result, MailerUnavailableError)
    assert mailer.attempts == MAX_RETRIES + 1


def test_welcome_email_for_a_missing_user_is_skipped(
    mailer: RecordingMailer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        result = send_welcome_email.apply(args=(424242,))
    assert result.successful()
    assert mailer.attempts == 0
    assert "does not exist" in caplog.text


@pytest.mark.skipif(bool(REDIS_URL), reason="eager mode is used only when REDIS_URL is unset")
def test_registration_runs_the_welcome_task_eagerly_without_redis(
    container: Container, mailer: RecordingMailer
) -> None:
    assert celery_app.conf.task_always_eager
    register(container, "eager@example.com")
    assert mailer.sent == [("eager@example.com", "Linus T")]


def test_logging_mailer_records_the_welcome(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.tasks.mailer_impl"):
        container.mailer.send_welcome("grace@example.com", "Grace")
    assert "Welcome email sent to grace@example.com" in caplog.text


def test_broker_outages_do_not_fail_the_caller(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unavailable(*_: object) -> None:
        raise OperationalError("broker down")

    monkeypatch.setattr(user_tasks.send_welcome_email, "delay", unavailable)
    CeleryTaskQueue().send_welcome_email(1)
    assert "Could not enqueue the welcome email for user 1" in caplog.text


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL: runs a real Celery worker on Redis")
def test_a_real_worker_delivers_the_welcome_email(
    container: Container, project_root: Path, tmp_path: Path
) -> None:
    user_id = register(container, "worker@example.com")
    log_path = tmp_path / "worker.log"
    # A queue of its own: no other worker on this Redis can take the task.
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": container.settings.database_url,
        "REDIS_URL": str(container.settings.redis_url),
        "JWT_SECRET": TEST_JWT_SECRET,
        "LOG_JSON": "false",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "app.tasks.celery_app",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--queues={queue}",
        f"--hostname={queue}@%h",
    ]
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            command, cwd=project_root, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            result = send_welcome_email.apply_async(args=(user_id,), queue=queue)
            result.get(timeout=WORKER_TIMEOUT_SECONDS)
            assert result.successful()
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    assert "Welcome email sent to worker@example.com" in log_path.read_text()


@pytest.mark.usefixtures("restore_root_logger")
def test_workers_log_through_the_application_configuration() -> None:
    setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
    handler_types = {type(handler).__name__ for handler in logging.getLogger().handlers}
    assert "_AppHandler" in handler_types
