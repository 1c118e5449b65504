import logging
import threading
import time
from typing import cast

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)


DEFAULT_KEY_PREFIX = "cache:"
DEFAULT_SOCKET_TIMEOUT_SECONDS = 0.25


class RedisCacheRepository:
    """Redis-backed cache. Redis outages degrade to cache misses instead of failing requests.

    Every key is stored under `key_prefix`, so that the cache never meets the Celery broker's
    keys (or another service's) in a shared Redis db. Each command waits at most the socket
    timeout and is never retried: a frozen Redis costs a request one bounded wait, not several.
    """

    def __init__(self, client: redis.Redis, key_prefix: str = DEFAULT_KEY_PREFIX) -> None:
        self._client = client
        self._prefix = key_prefix

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        socket_timeout_seconds: float = DEFAULT_SOCKET_TIMEOUT_SECONDS,
    ) -> "RedisCacheRepository":
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=socket_timeout_seconds,
            socket_timeout=socket_timeout_seconds,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
        return cls(client, key_prefix)

    @property
    def client(self) -> redis.Redis:
        """The Redis client, for other stores that share its connections and timeouts."""
        return self._client

    def get(self, key: str) -> str | None:
        try:
            # decode_responses=True: values come back as str.
            return cast("str | None", self._client.get(self._prefix + key))
        except redis.RedisError as exc:
            logger.warning("Cache read failed: %s", type(exc).__name__, extra={"cache_key": key})
            return None

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        try:
            self._client.set(self._prefix + key, value, ex=ttl_seconds)
        except redis.RedisError as exc:
            logger.warning("Cache write failed: %s", type(exc).__name__, extra={"cache_key": key})

    def add(self, key: str, value: str, ttl_seconds: int) -> bool:
        try:
            return bool(self._client.set(self._prefix + key, value, ex=ttl_seconds, nx=True))
        except redis.RedisError as exc:
            logger.warning("Cache write failed: %s", type(exc).__name__, extra={"cache_key": key})
            return True

    def delete(self, *keys: str) -> bool:
        try:
            self._client.delete(*(self._prefix + key for key in keys))
        except redis.RedisError as exc:
            logger.warning(
                "Cache invalidation failed: %s", type(exc).__name__, extra={"cache_keys": keys}
            )
            return False
        return True

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            logger.exception("Redis ping failed")
            return False

    def close(self) -> None:
        self._client.close()


class InMemoryCacheRepository:
    """Process-local cache, for tests and single-process tools.

    Not wired in the application: another process (a second web worker, the gRPC
    server) could not invalidate it, so it would serve rows that were changed elsewhere.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, expires_at = entry
            if expires_at <= time.monotonic():
                del self._entries[key]
                return None
            return value

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        with self._lock:
            self._entries[key] = (value, time.monotonic() + ttl_seconds)

    def add(self, key: str, value: str, ttl_seconds: int) -> bool:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[1] > time.monotonic():
                return False
            self._entries[key] = (value, time.monotonic() + ttl_seconds)
            return True

    def delete(self, *keys: str) -> bool:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)
        return True

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        with self._lock:
            self._entries.clear()


class NullCacheRepository:
    """The cache when no Redis URL is configured: stores nothing, so nothing can be stale.

    Several processes (web workers, the gRPC server, the task worker) share one database but
    would each have their own in-process cache, and none could invalidate the others'. Reads
    go to the database instead; configure `REDIS_URL` to cache.
    """

    def get(self, key: str) -> str | None:
        return None

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        return None

    def add(self, key: str, value: str, ttl_seconds: int) -> bool:
        return True

    def delete(self, *keys: str) -> bool:
        return True

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        return None
