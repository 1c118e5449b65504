"""gunicorn settings for the REST API: `gunicorn -c gunicorn.conf.py app.wsgi:app`.

`make run` and the Docker image use it. The bind address and the number of workers come from
the command line or gunicorn's own variables (`PORT`, `WEB_CONCURRENCY`, `GUNICORN_CMD_ARGS`).
"""

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.config.settings import Settings, get_settings_or_exit
from app.core.logging import build_handler


def gunicorn_logconfig(settings: Settings) -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its own messages through the application's handler.

    Every line of a gunicorn process then has one format (JSON in production). The access log
    is off: the application logs each request itself, with its request id.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"app": {"()": build_handler, "settings": settings}},
        "formatters": {},
        "root": {"level": settings.log_level.upper(), "handlers": ["app"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


# Invalid settings stop the master here with one line, before any worker starts.
_settings = get_settings_or_exit()

# gunicorn's messages in the application's format (JSON in production). No access log: the
# application logs every request itself, with its request id.
logconfig_dict = gunicorn_logconfig(_settings)
accesslog = None

# gunicorn's sync worker, answering the requests it rejects before Flask (a malformed request
# line or header, one over its size limits) with the JSON error body instead of an HTML page.
worker_class = "app.middleware.gunicorn_worker.JsonErrorSyncWorker"
logger_class = "app.middleware.gunicorn_worker.NoAccessLogger"

# No control socket (gunicorn >= 25.1 creates one under $HOME by default): it is not used here,
# instances on one host would share its path, and it cannot be created on a read-only root.
control_socket_disable = True

# Prometheus multiprocess mode: each worker writes its samples to files in this directory and
# /metrics adds them up, so it reports the whole server whichever worker answers. It must be set
# before a worker imports prometheus_client, hence here. The Docker image sets it; elsewhere a
# temporary directory is used and removed on exit.
_temporary_metrics_dir: str | None = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _temporary_metrics_dir = tempfile.mkdtemp(prefix="prometheus-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _temporary_metrics_dir


def on_starting(server: Any) -> None:
    """Start from empty metrics: files left by an earlier run would be counted again."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """Drop the live samples of a worker that exited (its counters stay in the totals)."""
    from prometheus_client import multiprocess

    # Typed here: prometheus-client 0.26 dropped the annotations of this function.
    mark_process_dead: Callable[[int], None] = multiprocess.mark_process_dead
    mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _temporary_metrics_dir is not None:
        shutil.rmtree(_temporary_metrics_dir, ignore_errors=True)
