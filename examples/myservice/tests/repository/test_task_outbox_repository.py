import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.model.task_outbox import TaskOutboxEntry
from app.repository.task_outbox_repository import OutboxTask
from app.repository.task_outbox_repository_impl import TaskOutboxRepositoryImpl
from app.wiring import Container
from tests.conftest import TEST_DATABASE_URL

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)


@pytest.fixture
def outbox(container: Container) -> TaskOutboxRepositoryImpl:
    return TaskOutboxRepositoryImpl(container.sessions())


def rows(container: Container) -> list[TaskOutboxEntry]:
    with container.sessions()() as session:
        return list(session.scalars(select(TaskOutboxEntry).order_by(TaskOutboxEntry.id)))


def later(_attempts: int) -> datetime:
    return LATER


def test_a_stored_task_keeps_its_name_arguments_and_request_id(
    outbox: TaskOutboxRepositoryImpl, container: Container
) -> None:
    outbox.add("app.tasks.email_tasks.send_email", ("a@example.com", "Hi", "Body"), "req-1", NOW)
    [row] = rows(container)
    assert (row.task_name, row.args, row.request_id) == (
        "app.tasks.email_tasks.send_email",
        ["a@example.com", "Hi", "Body"],
        "req-1",
    )
    assert (row.attempts, row.next_attempt_at, row.created_at) == (0, NOW, NOW)
    assert outbox.count() == 1


def test_published_tasks_are_deleted_oldest_first(outbox: TaskOutboxRepositoryImpl) -> None:
    outbox.add("second", [2], None, NOW)
    outbox.add("first", [1], "req-1", NOW - timedelta(seconds=1))
    handed: list[OutboxTask] = []

    def publish(task: OutboxTask) -> bool:
        handed.append(task)
        return True

    assert outbox.relay_due(NOW, 10, publish, later) == 2
    assert [(task.task_name, task.args, task.request_id) for task in handed] == [
        ("first", [1], "req-1"),
        ("second", [2], None),
    ]
    assert outbox.count() == 0


def test_a_refused_task_is_retried_later_and_ends_the_batch(
    outbox: TaskOutboxRepositoryImpl, container: Container
) -> None:
    outbox.add("refused", [], None, NOW - timedelta(seconds=2))
    outbox.add("untried", [], None, NOW - timedelta(seconds=1))
    handed: list[str] = []
    retries: list[int] = []

    def refuse(task: OutboxTask) -> bool:
        handed.append(task.task_name)
        return False

    def retry_at(attempts: int) -> datetime:
        retries.append(attempts)
        return LATER

    assert outbox.relay_due(NOW, 10, refuse, retry_at) == 0
    assert handed == ["refused"]
    assert retries == [1]
    refused, untried = rows(container)
    assert (refused.attempts, refused.next_attempt_at) == (1, LATER)
    assert (untried.attempts, untried.next_attempt_at) == (0, NOW - timedelta(seconds=1))


def test_only_due_tasks_are_handed_out_up_to_the_limit(outbox: TaskOutboxRepositoryImpl) -> None:
    for number in range(3):
        outbox.add("due", [number], None, NOW)
    outbox.add("not yet", [], None, LATER)
    handed: list[OutboxTask] = []

    def publish(task: OutboxTask) -> bool:
        handed.append(task)
        return True

    assert outbox.relay_due(NOW, 2, publish, later) == 2
    assert [task.args for task in handed] == [[0], [1]]
    assert outbox.relay_due(NOW, 2, publish, later) == 1
    assert outbox.count() == 1


@pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL: SQLite has no row locks"
)
def test_two_relays_never_hand_out_one_task_twice(outbox: TaskOutboxRepositoryImpl) -> None:
    for number in range(40):
        outbox.add("task", [number], None, NOW)
    handed: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def publish(task: OutboxTask) -> bool:
        with lock:
            handed.append(task.args[0])
        # Holds the batch's row locks while the other relay claims its own.
        threading.Event().wait(0.005)
        return True

    def relay() -> None:
        start.wait()
        while outbox.relay_due(NOW, 5, publish, later):
            pass

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(handed) == list(range(40))
    assert outbox.count() == 0


def test_repr_leaves_the_arguments_out() -> None:
    entry = TaskOutboxEntry(id=7, task_name="send", args=["secret@example.com"], attempts=2)
    assert repr(entry) == "TaskOutboxEntry(id=7, task_name='send', attempts=2)"
