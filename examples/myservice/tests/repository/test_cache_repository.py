from collections.abc import Iterator

import pytest
import redis

from app.repository.cache_repository import CacheRepository
from app.repository.cache_repository_impl import InMemoryCacheRepository, RedisCacheRepository
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
        assert 0 < client.ttl("test:a") <= 30


def test_redis_outage_degrades_to_cache_misses() -> None:
    # Nothing listens on port 1: every call fails fast with a connection error.
    cache = RedisCacheRepository.from_url("redis://127.0.0.1:1/0")
    assert cache.get("test:a") is None
    cache.set("test:a", "1", ttl_seconds=60)
    assert cache.add("test:a", "1", ttl_seconds=60)  # unknown: callers must not fail
    cache.delete("test:a")
    assert not cache.ping()
    cache.close()
