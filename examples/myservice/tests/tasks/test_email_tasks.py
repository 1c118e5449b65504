import dataclasses
import logging
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from celery.signals import setup_logging
from pydantic import SecretStr

from app.config.settings import Settings
from app.core.logging import RequestIdFilter, request_id_var
from app.dto.auth_dto import RegisterRequest
from app.repository.task_outbox_repository_impl import TaskOutboxRepositoryImpl
from app.tasks import celery_app as celery_module
from app.tasks.celery_app import (
    TASK_REQUEST_ID_HEADER,
    celery_app,
    configure_celery,
    create_celery_app,
)
from app.tasks.email_tasks import MAX_RETRIES, retry_countdown, send_email
from app.tasks.task_queue_impl import CeleryTaskQueue
from app.wiring import Container, build_container, set_container
from tests.conftest import TEST_PASSWORD, TEST_REDIS_URL, isolated_settings, process_env
from tests.fakes.fake_mailer import MailerUnavailableError, RecordingMailer
from tests.fakes.user_samples import REGISTER_EXTRA

WORKER_TIMEOUT_SECONDS = 60
# Nothing listens on port 1: connections are refused at once.
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"
EMAIL = ("linus@example.com", "Hello", "Hello Linus,\n\nthis is a test.\n")


@pytest.fixture
def mailer(container: Container) -> Iterator[RecordingMailer]:
    """Swap the container's mailer for a recording one for the tasks run in this process."""
    recorder = RecordingMailer()
    set_container(dataclasses.replace(container, mailer=recorder))
    yield recorder
    set_container(container)


def test_backoff_doubles_per_retry() -> None:
    assert [retry_countdown(n) for n in range(MAX_RETRIES)] == [1, 2, 4]


def test_the_email_is_sent_through_the_mailer(mailer: RecordingMailer) -> None:
    result = send_email.apply(args=EMAIL)
    assert result.successful()
    assert mailer.sent == [EMAIL]


def test_the_email_is_retried_until_the_mailer_recovers(mailer: RecordingMailer) -> None:
    mailer.failures = 2
    result = send_email.apply(args=EMAIL)
    assert result.successful()
    assert mailer.attempts == 3
    assert mailer.sent == [EMAIL]


def test_the_email_is_given_up_after_max_retries(
    mailer: RecordingMailer, caplog: pytest.LogCaptureFixture
) -> None:
    mailer.failures = MAX_RETRIES + 10
    with caplog.at_level(logging.WARNING, logger="app.tasks.email_tasks"):
        result = send_email.apply(args=EMAIL)
    assert result.failed()
    assert isinstance(result.result, MailerUnavailableError)
    assert mailer.attempts == MAX_RETRIES + 1
    assert mailer.sent == []
    assert "Email to l***@example.com failed (attempt 1)" in caplog.text
    assert "linus@" not in caplog.text


def test_tasks_log_with_the_request_id_of_their_caller(
    mailer: RecordingMailer, caplog: pytest.LogCaptureFixture
) -> None:
    mailer.failures = 1
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="app.tasks.email_tasks"):
        send_email.apply(args=EMAIL, headers={TASK_REQUEST_ID_HEADER: "req-42"})
    assert request_id_var.get() is None
    record = next(r for r in caplog.records if r.name == "app.tasks.email_tasks")
    assert vars(record)["request_id"] == "req-42"
    assert mailer.sent == [EMAIL]


@pytest.mark.skipif(bool(TEST_REDIS_URL), reason="eager mode: only without TEST_REDIS_URL")
def test_scheduled_emails_run_eagerly_without_redis(mailer: RecordingMailer) -> None:
    assert celery_app.conf.task_always_eager
    CeleryTaskQueue().send_email(*EMAIL)
    assert mailer.sent == [EMAIL]


def test_logging_mailer_records_the_email_without_the_full_address(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.tasks.mailer_impl"):
        container.mailer.send("grace@example.com", "Welcome", "Hello Grace")
    assert "Email sent to g***@example.com: Welcome" in caplog.text
    assert "grace@" not in caplog.text


def test_an_unreachable_broker_does_not_fail_or_hold_up_the_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_celery_app()
    configure_celery(app, isolated_settings(app_env="test", redis_url=UNREACHABLE_REDIS_URL))
    assert not app.conf.task_always_eager
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="app.tasks.task_queue_impl"):
        CeleryTaskQueue(app).send_email(*EMAIL)
    assert time.monotonic() - started < 5
    assert "Could not enqueue app.tasks.email_tasks.send_email to l***@example.com" in caplog.text
    assert "linus@" not in caplog.text


@pytest.mark.skipif(bool(TEST_REDIS_URL), reason="eager mode: only without TEST_REDIS_URL")
def test_registration_sends_the_welcome_email(
    container: Container, mailer: RecordingMailer
) -> None:
    request = RegisterRequest(
        email="eager@example.com", password=TEST_PASSWORD, full_name="Ea Ger", **REGISTER_EXTRA
    )
    container.auth_service.register(request)
    assert len(mailer.sent) == 1
    to, subject, body = mailer.sent[0]
    assert to == "eager@example.com"
    assert subject.startswith("Welcome to ")
    assert "Ea Ger" in body


@pytest.fixture
def broker_down(settings: Settings) -> Iterator[None]:
    """Point the process-wide Celery app at a Redis that refuses connections."""
    configure_celery(celery_app, isolated_settings(app_env="test", redis_url=UNREACHABLE_REDIS_URL))
    yield
    configure_celery(celery_app, settings)


@pytest.mark.usefixtures("broker_down")
def test_registration_succeeds_promptly_while_redis_is_down(container: Container) -> None:
    unreachable = SecretStr(UNREACHABLE_REDIS_URL)
    outage = build_container(container.settings.model_copy(update={"redis_url": unreachable}))
    try:
        started = time.monotonic()
        user = outage.auth_service.register(
            RegisterRequest(
                email="outage@example.com",
                password=TEST_PASSWORD,
                full_name="Out",
                **REGISTER_EXTRA,
            )
        )
        assert user.email == "outage@example.com"
        assert time.monotonic() - started < 5
    finally:
        outage.close()


def test_the_broker_comes_from_the_process_settings_unless_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process_settings = isolated_settings(app_env="test", redis_url="redis://redis.internal:6379/2")
    monkeypatch.setattr(celery_module, "get_settings_or_exit", lambda: process_settings)
    app = create_celery_app()
    assert app.conf.broker_url == "redis://redis.internal:6379/2"
    assert not app.conf.task_always_eager
    assert app.conf.task_ignore_result


def test_a_worker_without_redis_refuses_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    app = create_celery_app()
    configure_celery(app, isolated_settings(app_env="test"))

    class WorkController:
        pass

    worker = WorkController()
    worker.app = app  # type: ignore[attr-defined]
    with pytest.raises(SystemExit) as exited:
        celery_module._refuse_a_worker_without_a_broker(sender=worker)
    assert exited.value.code == 1
    assert "needs REDIS_URL" in capsys.readouterr().err


def test_the_worker_process_exits_with_one_line_without_redis(
    settings: Settings, project_root: Path, tmp_path: Path
) -> None:
    env = process_env(settings, DATABASE_URL=f"sqlite:///{tmp_path / 'worker.db'}", REDIS_URL="")
    command = [sys.executable, "-m", "celery", "-A", "app.tasks.celery_app", "worker"]
    result = subprocess.run(
        command, cwd=project_root, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    # The last line: Celery may warn before it, e.g. about running as root in a container.
    assert result.stderr.splitlines()[-1].startswith("error: the Celery worker needs REDIS_URL")
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs TEST_REDIS_URL: runs a real Celery worker")
def test_a_real_worker_delivers_the_email_and_relays_the_outbox(
    container: Container, project_root: Path, tmp_path: Path
) -> None:
    log_path = tmp_path / "worker.log"
    # A queue of its own: no other worker on this Redis can take the task. The relay publishes
    # to the default queue, which the container fixture emptied.
    queue = f"test-{uuid.uuid4().hex}"
    outbox = TaskOutboxRepositoryImpl(container.sessions())
    stored = ("outbox@example.com", "Stored", "Scheduled while the broker was down")
    outbox.add(send_email.name, stored, "from-the-outbox", datetime.now(UTC))
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
        f"--queues={queue},celery",
        f"--hostname={queue}@%h",
    ]
    delivered = "Email sent to w***@example.com: Hello"
    relayed = "Email sent to o***@example.com: Stored"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            command,
            cwd=project_root,
            env=process_env(container.settings, OUTBOX_RELAY_INTERVAL_SECONDS="0.2"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            send_email.apply_async(
                args=("worker@example.com", "Hello", "From a real worker"),
                queue=queue,
                headers={TASK_REQUEST_ID_HEADER: "from-the-api"},
            )
            deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
            while not _logged(log_path, delivered, relayed) and worker.poll() is None:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    output = log_path.read_text()
    line = next((line for line in output.splitlines() if delivered in line), None)
    assert line is not None, output
    assert "[from-the-api]" in line
    line = next((line for line in output.splitlines() if relayed in line), None)
    assert line is not None, output
    assert "[from-the-outbox]" in line
    assert outbox.count() == 0


def _logged(log_path: Path, *lines: str) -> bool:
    output = log_path.read_text()
    return all(line in output for line in lines)


@pytest.mark.usefixtures("restore_root_logger")
def test_workers_log_through_the_application_configuration(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(celery_module, "get_settings", lambda: settings)
    setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
    handler_types = {type(handler).__name__ for handler in logging.getLogger().handlers}
    assert "_AppHandler" in handler_types
