import logging
import threading
import time
from typing import cast

import redis

logger = logging.getLogger(__name__)


class RedisCacheRepository:
    """Redis-backed cache. Redis outages degrade to cache misses instead of failing requests."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    @classmethod
    def from_url(cls, url: str) -> "RedisCacheRepository":
        return cls(
            redis.Redis.from_url(
                url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2
            )
        )

    def get(self, key: str) -> str | None:
        try:
            # decode_responses=True: values come back as str.
            return cast("str | None", self._client.get(key))
        except redis.RedisError:
            logger.warning("Cache read failed", extra={"cache_key": key}, exc_info=True)
            return None

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        try:
            self._client.set(key, value, ex=ttl_seconds)
        except redis.RedisError:
            logger.warning("Cache write failed", extra={"cache_key": key}, exc_info=True)

    def add(self, key: str, value: str, ttl_seconds: int) -> bool:
        try:
            return bool(self._client.set(key, value, ex=ttl_seconds, nx=True))
        except redis.RedisError:
            logger.warning("Cache write failed", extra={"cache_key": key}, exc_info=True)
            return True

    def delete(self, *keys: str) -> None:
        try:
            self._client.delete(*keys)
        except redis.RedisError:
            logger.warning("Cache invalidation failed", extra={"cache_keys": keys}, exc_info=True)

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            logger.exception("Redis ping failed")
            return False

    def close(self) -> None:
        self._client.close()


class InMemoryCacheRepository:
    """Process-local cache used when no Redis URL is configured."""

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

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        with self._lock:
            self._entries.clear()
