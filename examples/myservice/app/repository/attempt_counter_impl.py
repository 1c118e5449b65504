import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import cast

import redis

from app.repository.attempt_counter import AttemptCount

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "attempts:"


class InMemoryAttemptCounter:
    """Counts in this process: each process (web worker, gRPC server) has its own counts.

    The limits then hold per process, so N processes allow up to N times as many attempts.
    Expired windows are dropped once more than `max_keys` are held.
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def hit(self, keys: Sequence[str], window_seconds: int) -> list[AttemptCount]:
        now = self._clock()
        counts = []
        with self._lock:
            if len(self._counts) > self._max_keys:
                self._drop_expired(now)
            for key in keys:
                attempts, ends_at = self._counts.get(key, (0, 0.0))
                if ends_at <= now:
                    attempts, ends_at = 0, now + window_seconds
                self._counts[key] = (attempts + 1, ends_at)
                # Rounded first: `(now + 60) - now` can come out as 60.000000000001.
                counts.append(AttemptCount(attempts + 1, math.ceil(round(ends_at - now, 6))))
        return counts

    def forget(self, reset: Sequence[str] = (), uncount: Sequence[str] = ()) -> None:
        now = self._clock()
        with self._lock:
            for key in reset:
                self._counts.pop(key, None)
            for key in uncount:
                attempts, ends_at = self._counts.get(key, (0, 0.0))
                if attempts <= 1 or ends_at <= now:
                    self._counts.pop(key, None)
                else:
                    self._counts[key] = (attempts - 1, ends_at)

    def _drop_expired(self, now: float) -> None:
        for key in [key for key, (_, ends_at) in self._counts.items() if ends_at <= now]:
            del self._counts[key]


# Deletes the first ARGV[1] keys and takes back one attempt from the others; a count that
# reaches zero (or a key that had expired) goes away, so no key is left without an expiry.
_FORGET = """
local resets = tonumber(ARGV[1])
for index, key in ipairs(KEYS) do
    if index <= resets or redis.call('decr', key) <= 0 then redis.call('del', key) end
end
"""


class RedisAttemptCounter:
    """Counts in Redis, shared by every process: one round trip per `hit` (MULTI: SET NX EX,
    INCR, TTL per key) and one per `forget` (a script).

    When Redis cannot be reached (each command waits at most the client's socket timeout), it
    counts in `fallback`, in process: the limits keep holding per process instead of failing
    every login or letting every attempt through.
    """

    def __init__(
        self,
        client: redis.Redis,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        fallback: InMemoryAttemptCounter | None = None,
    ) -> None:
        self._client = client
        self._prefix = key_prefix
        self._fallback = fallback or InMemoryAttemptCounter()
        self._forget = client.register_script(_FORGET)

    def hit(self, keys: Sequence[str], window_seconds: int) -> list[AttemptCount]:
        pipeline = self._client.pipeline(transaction=True)
        for key in keys:
            name = self._prefix + key
            pipeline.set(name, 0, ex=window_seconds, nx=True)
            pipeline.incr(name)
            pipeline.ttl(name)
        try:
            replies = cast(list[int | bool | None], pipeline.execute())
        except redis.RedisError as exc:
            logger.warning("Attempt counter unavailable: %s", type(exc).__name__)
            return self._fallback.hit(keys, window_seconds)
        counts = []
        for index in range(len(keys)):
            attempts, ttl = replies[3 * index + 1], replies[3 * index + 2]
            # TTL is -1/-2 only if the key lost its expiry: treat it as a fresh window.
            resets_in = int(ttl) if isinstance(ttl, int) and ttl > 0 else window_seconds
            counts.append(AttemptCount(int(attempts or 0), resets_in))
        return counts

    def forget(self, reset: Sequence[str] = (), uncount: Sequence[str] = ()) -> None:
        self._fallback.forget(reset, uncount)
        keys = [self._prefix + key for key in (*reset, *uncount)]
        if not keys:
            return
        try:
            self._forget(keys=keys, args=[len(reset)])
        except redis.RedisError as exc:
            logger.warning("Attempt counter unavailable: %s", type(exc).__name__)
