"""The worker's Prometheus metrics: tasks by final state and their duration, scraped over HTTP."""

import dataclasses
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.tasks.celery_app import start_worker_metrics, stop_worker_metrics
from app.tasks.email_tasks import send_email
from app.wiring import Container, set_container
from tests.fakes.fake_mailer import RecordingMailer

TASK = "app.tasks.email_tasks.send_email"
EMAIL = ("grace@example.com", "Hi", "Hello Grace")


@pytest.fixture
def mailer(container: Container) -> Iterator[RecordingMailer]:
    recorder = RecordingMailer()
    set_container(dataclasses.replace(container, mailer=recorder))
    yield recorder
    set_container(container)


def scrape() -> str:
    server = start_worker_metrics(0)
    try:
        url = f"http://127.0.0.1:{server.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            body: str = response.read().decode()
            return body
    finally:
        stop_worker_metrics()


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample of a scrape, 0 when it has none yet."""
    for family in text_string_to_metric_families(body):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


def count(body: str, state: str) -> float:
    return sample(body, "celery_tasks_total", task=TASK, state=state)


def test_tasks_are_counted_by_state_and_timed(mailer: RecordingMailer) -> None:
    before = scrape()
    mailer.failures = 1
    assert send_email.apply(args=EMAIL).successful()

    after = scrape()
    assert count(after, "retry") == count(before, "retry") + 1
    assert count(after, "success") == count(before, "success") + 1
    timed = sample(after, "celery_task_duration_seconds_count", task=TASK)
    assert timed == sample(before, "celery_task_duration_seconds_count", task=TASK) + 2
