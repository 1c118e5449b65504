"""The cache: Redis in the application, in-memory for tests, nothing without a Redis URL.

Values under a *mirrored* prefix (the wiring mirrors every key: cached rows and the users' auth
states) are also kept in each process, so that a hot row or the check every request makes costs
no round trip: every change of such a key (a set, a delete) publishes it on an invalidation
channel in the same round trip, and a process drops its copy on the next request after the
message arrives, before it answers from the copy. An add publishes nothing: it only fills a key
that is absent, and what emptied the key (a delete) was published, or the key expired. A copy is
trusted only while the process is subscribed and for `MIRROR_TTL_SECONDS` at most.
"""

import logging
import os
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import cast

import redis
from redis.backoff import NoBackoff
from redis.client import PubSub
from redis.retry import Retry

logger = logging.getLogger(__name__)


DEFAULT_KEY_PREFIX = "cache:"
DEFAULT_SOCKET_TIMEOUT_SECONDS = 0.25
MIRROR_CHANNEL = "mirror-invalidations"
"""The channel, under the key prefix, on which writers publish the mirrored keys they change."""
MIRROR_TTL_SECONDS = 5.0
"""How long a process trusts its copy without reading Redis again: the bound on staleness when
the process is cut off from Redis without noticing (an invalidation it never receives)."""
MIRROR_MAX_ENTRIES = 10_000
MIRROR_MAX_CHARACTERS = 16 * 1024 * 1024
"""The most a process keeps: entries and their total length. Past either, it starts afresh."""
MIRROR_RETRY_SECONDS = 5.0
"""How long a process that lost its subscription waits before subscribing again; meanwhile
every read of a mirrored key goes to Redis."""


class _Mirror:
    """Process-local copies of mirrored keys, dropped by the invalidations writers publish.

    Every invalidation that arrives bumps `epoch`: a value read from Redis is copied only when no
    invalidation arrived since before the read, so a write racing the read is never hidden.
    """

    def __init__(self, client: redis.Redis, channel: str, timeout_seconds: float) -> None:
        self._client = client
        self._channel = channel
        self._timeout = timeout_seconds
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[str, float]] = {}
        self._characters = 0
        self._pubsub: PubSub | None = None
        self._arrivals: select.poll | None = None
        self._pid = os.getpid()
        self._epoch = 0
        self._retry_at = 0.0

    def lookup(self, key: str) -> tuple[str | None, int | None]:
        """The copy of `key` (None when there is none) and, when there is none but one may be
        kept, the epoch to hand to `keep` with the value then read from Redis."""
        with self._lock:
            if not self._drain():
                return None, None
            entry = self._entries.get(key)
            if entry is None:
                return None, self._epoch
            if entry[1] > time.monotonic():
                return entry[0], None
            self._drop(key)
            return None, self._epoch

    def keep(self, key: str, value: str, epoch: int | None) -> None:
        with self._lock:
            if epoch is None:
                # Not subscribed when the value was read: subscribe now (Redis just answered),
                # so that the next read may be kept.
                if self._pubsub is None and time.monotonic() >= self._retry_at:
                    self._subscribe()
                return
            if not self._drain() or epoch != self._epoch:
                return
            if len(value) > MIRROR_MAX_CHARACTERS:
                return
            self._drop(key)
            if (
                len(self._entries) >= MIRROR_MAX_ENTRIES
                or self._characters + len(value) > MIRROR_MAX_CHARACTERS
            ):
                self._clear()
            self._entries[key] = (value, time.monotonic() + MIRROR_TTL_SECONDS)
            self._characters += len(value)

    def forget(self, keys: tuple[str, ...]) -> None:
        with self._lock:
            self._epoch += 1
            for key in keys:
                self._drop(key)

    def reset(self) -> None:
        """Redis failed us: trust no copy until subscribed again."""
        with self._lock:
            self._lose_subscription()

    def close(self) -> None:
        with self._lock:
            self._unsubscribe()

    def _drain(self) -> bool:
        """Apply the invalidations that arrived; False when no copy may be trusted."""
        if self._pid != os.getpid():
            # A forked child: the subscription is the parent's.
            self._pid = os.getpid()
            self._pubsub = None
            self._arrivals = None
            self._clear()
            self._epoch += 1
        if self._pubsub is None:
            return False
        if self._arrivals is not None and not self._arrivals.poll(0):
            return True  # nothing arrived since the last drain emptied the connection's buffer
        try:
            while (message := self._pubsub.get_message(timeout=0.0)) is not None:
                self._epoch += 1
                if message["type"] == "message":
                    self._drop(message["data"])
        except (redis.RedisError, OSError) as exc:
            logger.warning("Cache invalidations lost: %s", type(exc).__name__)
            self._lose_subscription()
            return False
        return True

    def _subscribe(self) -> None:
        pubsub: PubSub = self._client.pubsub()  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(self._channel)
            # Trust nothing before Redis confirms: a message published earlier is not received.
            confirmation = pubsub.get_message(timeout=self._timeout)
            if confirmation is None or confirmation["type"] != "subscribe":
                raise redis.TimeoutError("no subscription confirmation")
            # Empty the client's buffer, so that polling the socket tells whether more arrived
            # (nothing is copied yet, so what was already published concerns no copy).
            while pubsub.get_message(timeout=0.0) is not None:
                pass
        except (redis.RedisError, OSError) as exc:
            logger.warning("Cache invalidations unavailable: %s", type(exc).__name__)
            pubsub.close()
            self._retry_at = time.monotonic() + MIRROR_RETRY_SECONDS
            return
        self._pubsub = pubsub
        self._arrivals = _poller(pubsub)
        self._epoch += 1

    def _lose_subscription(self) -> None:
        """Trust no copy, and subscribe again only after `MIRROR_RETRY_SECONDS`."""
        self._unsubscribe()
        self._retry_at = time.monotonic() + MIRROR_RETRY_SECONDS

    def _unsubscribe(self) -> None:
        if self._pubsub is not None:
            self._pubsub.close()
            self._pubsub = None
        self._arrivals = None
        self._clear()
        self._epoch += 1

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._characters -= len(entry[0])

    def _clear(self) -> None:
        self._entries.clear()
        self._characters = 0


def _poller(pubsub: PubSub) -> "select.poll | None":
    """A poll of the subscription's socket: checking it costs one system call, where asking the
    client for a message costs tens of microseconds. None when the socket cannot be reached."""
    sock = getattr(pubsub.connection, "_sock", None)
    if not isinstance(sock, socket.socket):
        return None  # not a socket of this process's (an in-process fake Redis): always drain
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return poller


class RedisCacheRepository:
    """Redis-backed cache. Redis outages degrade to cache misses instead of failing requests.

    Every key is stored under `key_prefix`, so that the cache never meets the Celery broker's
    keys (or another service's) in a shared Redis db. Each command waits at most the socket
    timeout and is never retried: a frozen Redis costs a request one bounded wait, not several.
    """

    def __init__(
        self,
        client: redis.Redis,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        *,
        mirrored_prefixes: tuple[str, ...] = (),
        socket_timeout_seconds: float = DEFAULT_SOCKET_TIMEOUT_SECONDS,
    ) -> None:
        self._client = client
        self._prefix = key_prefix
        self._mirrored = mirrored_prefixes
        self._channel = key_prefix + MIRROR_CHANNEL
        self._mirror = (
            _Mirror(client, self._channel, socket_timeout_seconds) if mirrored_prefixes else None
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        socket_timeout_seconds: float = DEFAULT_SOCKET_TIMEOUT_SECONDS,
        mirrored_prefixes: tuple[str, ...] = (),
    ) -> "RedisCacheRepository":
        """`mirrored_prefixes`: keys read on every request and rarely written (see the module)."""
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=socket_timeout_seconds,
            socket_timeout=socket_timeout_seconds,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
        return cls(
            client,
            key_prefix,
            mirrored_prefixes=mirrored_prefixes,
            socket_timeout_seconds=socket_timeout_seconds,
        )

    @property
    def client(self) -> redis.Redis:
        """The Redis client, for other stores that share its connections and timeouts."""
        return self._client

    def get(self, key: str) -> str | None:
        mirror = self._mirror if key.startswith(self._mirrored) else None
        epoch = None
        if mirror is not None:
            copy, epoch = mirror.lookup(key)
            if copy is not None:
                return copy
        try:
            # decode_responses=True: values come back as str.
            value = cast("str | None", self._client.get(self._prefix + key))
        except redis.RedisError as exc:
            self._failed()
            logger.warning("Cache read failed: %s", type(exc).__name__, extra={"cache_key": key})
            return None
        if mirror is not None and value is not None:
            mirror.keep(key, value, epoch)
        return value

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        try:
            self._write(
                (key,), lambda client: client.set(self._prefix + key, value, ex=ttl_seconds)
            )
        except redis.RedisError as exc:
            self._failed()
            logger.warning("Cache write failed: %s", type(exc).__name__, extra={"cache_key": key})

    def add(self, key: str, value: str, ttl_seconds: int) -> bool:
        # Not published (see the module): an add follows every cache miss, and each message
        # costs every process a read of its subscription.
        try:
            return bool(self._client.set(self._prefix + key, value, ex=ttl_seconds, nx=True))
        except redis.RedisError as exc:
            self._failed()
            logger.warning("Cache write failed: %s", type(exc).__name__, extra={"cache_key": key})
            return True

    def delete(self, *keys: str) -> bool:
        try:
            self._write(keys, lambda client: client.delete(*(self._prefix + k for k in keys)))
        except redis.RedisError as exc:
            self._failed()
            logger.warning(
                "Cache invalidation failed: %s", type(exc).__name__, extra={"cache_keys": keys}
            )
            return False
        return True

    def _write(self, keys: tuple[str, ...], command: Callable[[redis.Redis], object]) -> object:
        """Run `command`, a write of `keys`; mirrored keys are published in the same round trip."""
        mirrored = tuple(key for key in keys if key.startswith(self._mirrored))
        if self._mirror is None or not mirrored:
            return command(self._client)
        self._mirror.forget(mirrored)
        pipeline = self._client.pipeline(transaction=False)
        command(pipeline)
        for key in mirrored:
            pipeline.publish(self._channel, key)
        result = pipeline.execute()[0]
        self._mirror.forget(mirrored)
        return result

    def _failed(self) -> None:
        if self._mirror is not None:
            self._mirror.reset()

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except redis.RedisError:
            logger.exception("Redis ping failed")
            return False

    def close(self) -> None:
        if self._mirror is not None:
            self._mirror.close()
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
