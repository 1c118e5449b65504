import socket
import time
from collections.abc import Iterator

import pytest
import redis

from app.repository.cache_repository import CacheRepository
from app.repository.cache_repository_impl import (
    DEFAULT_KEY_PREFIX,
    InMemoryCacheRepository,
    NullCacheRepository,
    RedisCacheRepository,
)
from tests.conftest import TEST_REDIS_URL

REDIS_URL = TEST_REDIS_URL
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


@pytest.fixture
def memory_cache() -> InMemoryCacheRepository:
    return InMemoryCacheRepository()


@pytest.fixture
def redis_cache() -> Iterator[RedisCacheRepository]:
    assert REDIS_URL
    cache = RedisCacheRepository.from_url(REDIS_URL)
    cache.delete("test:a", "test:b")
    yield cache
    cache.delete("test:a", "test:b")
    cache.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=needs_redis)])
def cache(request: pytest.FixtureRequest) -> CacheRepository:
    fixture_name = f"{request.param}_cache"
    repository: CacheRepository = request.getfixturevalue(fixture_name)
    return repository


def test_set_get_and_delete(cache: CacheRepository) -> None:
    assert cache.get("test:a") is None
    cache.set("test:a", "1", ttl_seconds=60)
    cache.set("test:b", "2", ttl_seconds=60)
    assert cache.get("test:a") == "1"
    cache.delete("test:a", "test:b")
    assert cache.get("test:a") is None
    assert cache.get("test:b") is None
    assert cache.ping()


def test_add_stores_only_absent_keys(cache: CacheRepository) -> None:
    assert cache.add("test:a", "first", ttl_seconds=60)
    assert not cache.add("test:a", "second", ttl_seconds=60)
    assert cache.get("test:a") == "first"
    cache.delete("test:a")
    assert cache.add("test:a", "third", ttl_seconds=60)
    assert cache.get("test:a") == "third"
    cache.delete("test:a")


def test_memory_add_replaces_an_expired_entry(
    memory_cache: InMemoryCacheRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = 1000.0
    monkeypatch.setattr("app.repository.cache_repository_impl.time.monotonic", lambda: now)
    assert memory_cache.add("test:a", "1", ttl_seconds=10)
    now += 10
    assert memory_cache.add("test:a", "2", ttl_seconds=10)
    assert memory_cache.get("test:a") == "2"


def test_memory_entries_expire(
    memory_cache: InMemoryCacheRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = 1000.0
    monkeypatch.setattr("app.repository.cache_repository_impl.time.monotonic", lambda: now)
    memory_cache.set("test:a", "1", ttl_seconds=10)
    now += 9.9
    assert memory_cache.get("test:a") == "1"
    now += 0.1
    assert memory_cache.get("test:a") is None


def test_memory_close_drops_everything(memory_cache: InMemoryCacheRepository) -> None:
    memory_cache.set("test:a", "1", ttl_seconds=60)
    memory_cache.close()
    assert memory_cache.get("test:a") is None


@needs_redis
def test_redis_entries_have_a_ttl(redis_cache: RedisCacheRepository) -> None:
    assert REDIS_URL
    redis_cache.set("test:a", "1", ttl_seconds=30)
    with redis.Redis.from_url(REDIS_URL) as client:
        assert 0 < client.ttl(f"{DEFAULT_KEY_PREFIX}test:a") <= 30


def test_redis_outage_degrades_to_cache_misses() -> None:
    # Nothing listens on port 1: every call fails fast with a connection error.
    cache = RedisCacheRepository.from_url("redis://127.0.0.1:1/0")
    assert cache.get("test:a") is None
    cache.set("test:a", "1", ttl_seconds=60)
    assert cache.add("test:a", "1", ttl_seconds=60)  # unknown: callers must not fail
    cache.delete("test:a")
    assert not cache.ping()
    cache.close()


@needs_redis
def test_redis_keys_carry_the_prefix() -> None:
    assert REDIS_URL
    cache = RedisCacheRepository.from_url(REDIS_URL, key_prefix="prefix-test:")
    raw = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        cache.set("a", "1", ttl_seconds=60)
        assert raw.get("prefix-test:a") == "1"
        assert raw.get("a") is None
        assert cache.delete("a")
        assert raw.get("prefix-test:a") is None
    finally:
        raw.delete("prefix-test:a")
        raw.close()
        cache.close()


def test_a_frozen_redis_costs_one_bounded_wait() -> None:
    # A socket that accepts connections but never answers: a frozen Redis.
    with socket.create_server(("127.0.0.1", 0)) as frozen:
        port = frozen.getsockname()[1]
        cache = RedisCacheRepository.from_url(
            f"redis://127.0.0.1:{port}/0", socket_timeout_seconds=0.2
        )
        started = time.monotonic()
        assert cache.get("a") is None
        assert cache.delete("a") is False
        cache.set("a", "1", ttl_seconds=60)
        elapsed = time.monotonic() - started
        cache.close()
    # Three commands, each at most one timeout (no retries): well under a second.
    assert elapsed < 1.5


def test_the_null_cache_stores_nothing() -> None:
    cache = NullCacheRepository()
    cache.set("a", "1", ttl_seconds=60)
    assert cache.get("a") is None
    assert cache.add("a", "1", ttl_seconds=60)
    assert cache.delete("a")
    assert cache.ping()
    cache.close()
