"""Prometheus metrics of the Celery tasks: how many finished in each state, and how long they ran.

Recorded through Celery's signals wherever a task runs (the worker, or eagerly in-process
without a broker) and served by the worker on `WORKER_METRICS_PORT`. With the prefork pool the
tasks run in child processes: `PROMETHEUS_MULTIPROC_DIR` (set by the image and `make worker`)
lets the worker's main process add up their samples.
"""

import time
from typing import Any, cast

from celery import Task
from celery.signals import task_postrun, task_prerun
from prometheus_client import Counter, Histogram

TASKS = Counter(
    "celery_tasks_total",
    "Celery tasks that finished, by task and final state of the run.",
    ["task", "state"],
)
LATENCY = Histogram(
    "celery_task_duration_seconds",
    "Time a task ran, in seconds, by task.",
    ["task"],
)


@task_prerun.connect
def _start_timer(task: Task[Any, Any], **_: Any) -> None:
    cast(Any, task.request).metrics_started = time.perf_counter()


@task_postrun.connect
def _record_task(task: Task[Any, Any], state: str | None = None, **_: Any) -> None:
    started = getattr(task.request, "metrics_started", None)
    TASKS.labels(task.name, (state or "UNKNOWN").lower()).inc()
    if started is not None:
        LATENCY.labels(task.name).observe(time.perf_counter() - started)
