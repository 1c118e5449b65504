from collections.abc import Iterator

import pytest
import redis

from app.repository.attempt_counter import AttemptCount, AttemptCounter
from app.repository.attempt_counter_impl import InMemoryAttemptCounter, RedisAttemptCounter
from app.repository.cache_repository_impl import RedisCacheRepository
from tests.conftest import TEST_REDIS_URL

PREFIX = "test:attempts:"
needs_redis = pytest.mark.skipif(not TEST_REDIS_URL, reason="TEST_REDIS_URL is not set")


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    assert TEST_REDIS_URL
    cache = RedisCacheRepository.from_url(TEST_REDIS_URL)
    client = cache.client
    client.delete(*(PREFIX + key for key in ("a", "b")))
    yield client
    client.delete(*(PREFIX + key for key in ("a", "b")))
    cache.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=needs_redis)])
def counter(request: pytest.FixtureRequest) -> AttemptCounter:
    if request.param == "memory":
        return InMemoryAttemptCounter()
    return RedisAttemptCounter(request.getfixturevalue("redis_client"), key_prefix=PREFIX)


def test_hit_counts_each_key_in_its_window(counter: AttemptCounter) -> None:
    assert counter.hit(["a", "b"], 60) == [AttemptCount(1, 60), AttemptCount(1, 60)]
    counts = counter.hit(["a"], 60)
    assert counts[0].attempts == 2
    assert 0 < counts[0].resets_in_seconds <= 60


def test_forget_resets_and_uncounts(counter: AttemptCounter) -> None:
    for _ in range(3):
        counter.hit(["a", "b"], 60)
    counter.forget(reset=["a"], uncount=["b"])
    assert [count.attempts for count in counter.hit(["a", "b"], 60)] == [1, 3]
    counter.forget()


def test_uncounting_the_last_attempt_or_an_absent_key_leaves_nothing(
    counter: AttemptCounter,
) -> None:
    counter.hit(["a"], 60)
    counter.forget(uncount=["a", "b"])
    assert [count.attempts for count in counter.hit(["a", "b"], 60)] == [1, 1]


def test_a_window_ends_and_the_count_starts_over() -> None:
    clock = FakeClock()
    counter = InMemoryAttemptCounter(clock)
    counter.hit(["a"], 60)
    clock.now += 59.5
    assert counter.hit(["a"], 60) == [AttemptCount(2, 1)]
    clock.now += 0.5
    assert counter.hit(["a"], 60) == [AttemptCount(1, 60)]
    clock.now += 61
    counter.forget(uncount=["a"])  # an expired count is gone, not taken below zero
    assert counter.hit(["a"], 60) == [AttemptCount(1, 60)]


def test_expired_windows_are_dropped_once_too_many_keys_are_held() -> None:
    clock = FakeClock()
    counter = InMemoryAttemptCounter(clock, max_keys=2)
    counter.hit(["a", "b", "c"], 10)
    clock.now += 10
    counter.hit(["d"], 10)
    assert set(counter._counts) == {"d"}


@needs_redis
def test_redis_counts_expire_with_the_window(redis_client: redis.Redis) -> None:
    counter = RedisAttemptCounter(redis_client, key_prefix=PREFIX)
    counter.hit(["a"], 60)
    assert 0 < int(redis_client.ttl(PREFIX + "a")) <= 60
    counter.forget(uncount=["b"])
    assert not redis_client.exists(PREFIX + "b")
    redis_client.persist(PREFIX + "a")  # a key that lost its expiry starts a fresh window
    assert counter.hit(["a"], 60) == [AttemptCount(2, 60)]


def test_an_unreachable_redis_counts_in_process() -> None:
    cache = RedisCacheRepository.from_url("redis://127.0.0.1:1/0", socket_timeout_seconds=0.1)
    counter = RedisAttemptCounter(cache.client)
    try:
        assert counter.hit(["a"], 60) == [AttemptCount(1, 60)]
        assert counter.hit(["a"], 60) == [AttemptCount(2, 60)]
        counter.forget(reset=["a"])
        assert counter.hit(["a"], 60) == [AttemptCount(1, 60)]
    finally:
        cache.close()
