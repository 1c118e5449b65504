import select
import socket
import time
from collections.abc import Iterator

import fakeredis
import pytest
import redis
from redis.client import PubSub

from app.repository.cache_repository import CacheRepository
from app.repository.cache_repository_impl import (
    DEFAULT_KEY_PREFIX,
    MIRROR_TTL_SECONDS,
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


MIRRORED = ("mirror-test:",)


@pytest.fixture
def mirrored_pair() -> Iterator[tuple[RedisCacheRepository, RedisCacheRepository, redis.Redis]]:
    """Two mirroring caches, as two processes have them, and a raw client that bypasses both:
    on the test Redis when there is one, else on an in-process fake Redis."""
    if REDIS_URL:
        url = REDIS_URL

        def connect() -> redis.Redis:
            return redis.Redis.from_url(url, decode_responses=True)
    else:
        server = fakeredis.FakeServer()

        def connect() -> redis.Redis:
            return fakeredis.FakeRedis(server=server, decode_responses=True)

    reader = RedisCacheRepository(connect(), mirrored_prefixes=MIRRORED)
    writer = RedisCacheRepository(connect(), mirrored_prefixes=MIRRORED)
    raw = connect()
    raw.delete(f"{DEFAULT_KEY_PREFIX}mirror-test:a", f"{DEFAULT_KEY_PREFIX}test:a")
    yield reader, writer, raw
    raw.delete(f"{DEFAULT_KEY_PREFIX}mirror-test:a", f"{DEFAULT_KEY_PREFIX}test:a")
    for client in (reader, writer):
        client.close()
    raw.close()


def _mirror_a_value(
    reader: RedisCacheRepository, writer: RedisCacheRepository, raw: redis.Redis
) -> None:
    """Leave `mirror-test:a` = `1` in the reader's copy but no longer in Redis."""
    writer.set("mirror-test:a", "1", ttl_seconds=60)
    assert reader.get("mirror-test:a") == "1"  # read before subscribing: not kept
    assert reader.get("mirror-test:a") == "1"  # kept
    raw.delete(f"{DEFAULT_KEY_PREFIX}mirror-test:a")  # behind the caches' backs: no message
    assert reader.get("mirror-test:a") == "1", "served from the copy, without Redis"


def test_a_write_elsewhere_drops_the_copy_before_the_next_read(
    mirrored_pair: tuple[RedisCacheRepository, RedisCacheRepository, redis.Redis],
) -> None:
    reader, writer, raw = mirrored_pair
    for write in (
        lambda: writer.delete("mirror-test:a"),
        lambda: writer.set("mirror-test:a", "2", ttl_seconds=60),
    ):
        _mirror_a_value(reader, writer, raw)
        write()
        # Published in the write's own round trip: the reader knows before the writer returns.
        assert reader.get("mirror-test:a") == raw.get(f"{DEFAULT_KEY_PREFIX}mirror-test:a")


def test_an_add_fills_an_absent_key_without_publishing(
    mirrored_pair: tuple[RedisCacheRepository, RedisCacheRepository, redis.Redis],
) -> None:
    reader, writer, raw = mirrored_pair
    listener: PubSub = raw.pubsub()  # type: ignore[no-untyped-call]
    listener.subscribe(f"{DEFAULT_KEY_PREFIX}mirror-invalidations")
    assert listener.get_message(timeout=1) is not None, "subscribed"

    def published(timeout: float = 1.0) -> object:
        message = listener.get_message(timeout=timeout)
        return None if message is None else message["data"]

    writer.set("mirror-test:a", "1", ttl_seconds=60)
    assert published() == "mirror-test:a"
    assert reader.get("mirror-test:a") == "1"
    assert reader.get("mirror-test:a") == "1"  # kept
    writer.delete("mirror-test:a")  # published: the copy goes
    assert published() == "mirror-test:a"

    assert writer.add("mirror-test:a", "2", ttl_seconds=60)
    assert not writer.add("mirror-test:a", "3", ttl_seconds=60)

    assert published(timeout=0.2) is None
    assert reader.get("mirror-test:a") == "2"
    listener.close()


def test_only_mirrored_prefixes_are_copied(
    mirrored_pair: tuple[RedisCacheRepository, RedisCacheRepository, redis.Redis],
) -> None:
    reader, writer, raw = mirrored_pair
    writer.set("test:a", "1", ttl_seconds=60)
    assert reader.get("test:a") == "1"
    assert reader.get("test:a") == "1"
    raw.delete(f"{DEFAULT_KEY_PREFIX}test:a")
    assert reader.get("test:a") is None


def test_a_copy_expires(
    mirrored_pair: tuple[RedisCacheRepository, RedisCacheRepository, redis.Redis],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader, writer, raw = mirrored_pair
    _mirror_a_value(reader, writer, raw)
    later = time.monotonic() + MIRROR_TTL_SECONDS
    monkeypatch.setattr("app.repository.cache_repository_impl.time.monotonic", lambda: later)
    assert reader.get("mirror-test:a") is None


def test_copies_stay_within_their_budget(
    mirrored_pair: tuple[RedisCacheRepository, RedisCacheRepository, redis.Redis],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader, writer, raw = mirrored_pair
    monkeypatch.setattr("app.repository.cache_repository_impl.MIRROR_MAX_CHARACTERS", 3)
    writer.set("mirror-test:a", "1234", ttl_seconds=60)
    assert reader.get("mirror-test:a") == "1234"  # subscribes
    assert reader.get("mirror-test:a") == "1234"  # too long to keep
    raw.delete(f"{DEFAULT_KEY_PREFIX}mirror-test:a")
    assert reader.get("mirror-test:a") is None, "read from Redis: nothing was kept"
    _mirror_a_value(reader, writer, raw)  # "1": within the budget
    writer.set("mirror-test:b", "123", ttl_seconds=60)
    assert reader.get("mirror-test:b") == "123"  # kept: the reader starts afresh
    assert reader.get("mirror-test:a") is None, "the earlier copy made room"
    raw.delete(f"{DEFAULT_KEY_PREFIX}mirror-test:b")


@needs_redis
def test_a_lost_subscription_trusts_no_copy(
    mirrored_pair: tuple[RedisCacheRepository, RedisCacheRepository, redis.Redis],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader, writer, raw = mirrored_pair
    _mirror_a_value(reader, writer, raw)
    # Redis closes the reader's subscription, as a restart or a network cut would.
    subscription = _subscription_socket(reader)
    raw.client_kill("{}:{}".format(*subscription.getsockname()))
    select.select([subscription], [], [], 5)
    assert reader.get("mirror-test:a") is None  # the copy is dropped: read from Redis
    writer.set("mirror-test:a", "1", ttl_seconds=60)
    raw_reads = reader.client.get
    reads: list[str] = []

    def counted(key: str) -> object:
        reads.append(key)
        return raw_reads(key)

    monkeypatch.setattr(reader.client, "get", counted)
    for _ in range(3):  # not subscribed again until the retry delay has passed
        assert reader.get("mirror-test:a") == "1"
    assert len(reads) == 3


def _subscription_socket(cache: RedisCacheRepository) -> socket.socket:
    mirror = cache._mirror
    assert mirror is not None
    # The connection is typed as always None (untyped in redis-py): read it dynamically.
    sock = getattr(getattr(mirror._pubsub, "connection", None), "_sock", None)
    assert isinstance(sock, socket.socket)
    return sock


def test_a_write_racing_a_read_is_not_hidden(
    mirrored_pair: tuple[RedisCacheRepository, RedisCacheRepository, redis.Redis],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader, writer, _raw = mirrored_pair
    writer.set("mirror-test:a", "old", ttl_seconds=60)
    assert reader.get("mirror-test:a") == "old"  # subscribes
    raw_reads = reader.client.get

    def read_then_write(key: str) -> object:
        value = raw_reads(key)
        writer.set("mirror-test:a", "new", ttl_seconds=60)  # lands between the read and the copy
        return value

    monkeypatch.setattr(reader.client, "get", read_then_write)
    assert reader.get("mirror-test:a") == "old"
    monkeypatch.undo()
    assert reader.get("mirror-test:a") == "new"


def test_a_mirroring_cache_without_redis_degrades_to_misses() -> None:
    cache = RedisCacheRepository.from_url("redis://127.0.0.1:1/0", mirrored_prefixes=MIRRORED)
    assert cache.get("mirror-test:a") is None
    assert cache.delete("mirror-test:a") is False
    cache.set("mirror-test:a", "1", ttl_seconds=60)
    assert cache.get("mirror-test:a") is None
    cache.close()
