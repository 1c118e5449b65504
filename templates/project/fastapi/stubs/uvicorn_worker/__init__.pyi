# uvicorn-worker ships no type information: what app/middleware/gunicorn_worker.py uses.
from typing import Any, ClassVar

from gunicorn.workers.base import Worker

class UvicornWorker(Worker):
    CONFIG_KWARGS: ClassVar[dict[str, Any]]
