"""Read-through caching of response models, shared by every service that caches.

Keys are `{name}:{schema version}:{id}`. The schema version is a digest of the model's JSON
schema, so a deploy that changes the model (a field added, a type changed) reads new keys and
never decodes an entry written in an older shape; such entries simply expire. An entry that
still cannot be decoded is dropped and read again from the database.

Writers call `invalidate_before_write` before they commit (and refuse the write with 503 when
the cache cannot confirm it) and `invalidate_after_write` after, which also removes an entry
that a concurrent reader stored from the old row in between.
"""

import functools
import hashlib
import json
import logging
from typing import Generic, TypeVar

import pydantic

from app.core.errors import ServiceUnavailableError
from app.repository.cache_repository import CacheRepository

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)

CACHE_UNAVAILABLE = "The cache cannot be updated right now; nothing was changed, try again"


@functools.cache
def schema_version(model: type[pydantic.BaseModel]) -> str:
    """A short digest of `model`'s JSON schema: it changes whenever the cached shape does."""
    schema = json.dumps(model.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:12]


def cache_key(name: str, model: type[pydantic.BaseModel], row_id: int) -> str:
    """The key of row `row_id` of `name`, cached as `model`."""
    return f"{name}:{schema_version(model)}:{row_id}"


class ModelCache(Generic[ModelT]):
    def __init__(
        self, cache: CacheRepository, name: str, model: type[ModelT], ttl_seconds: int
    ) -> None:
        self._cache = cache
        self._model = model
        self._ttl_seconds = ttl_seconds
        self._name = name

    def key(self, row_id: int) -> str:
        return cache_key(self._name, self._model, row_id)

    def get(self, row_id: int) -> ModelT | None:
        key = self.key(row_id)
        cached = self._cache.get(key)
        if cached is None:
            return None
        try:
            return self._model.model_validate_json(cached)
        except pydantic.ValidationError:
            logger.warning("Dropped an unreadable cache entry", extra={"cache_key": key})
            self._cache.delete(key)
            return None

    def put(self, row_id: int, value: ModelT) -> None:
        # Only where nothing is: an entry there is as fresh, or a writer's to remove.
        self._cache.add(self.key(row_id), value.model_dump_json(), self._ttl_seconds)

    def invalidate_before_write(self, row_id: int) -> None:
        if not self._cache.delete(self.key(row_id)):
            raise ServiceUnavailableError(CACHE_UNAVAILABLE)

    def invalidate_after_write(self, row_id: int) -> None:
        # Best effort: the cache logs a failure, and the entry was already removed before.
        self._cache.delete(self.key(row_id))
