from typing import Protocol


class CacheRepository(Protocol):
    """A string key/value cache with per-entry expiry."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl_seconds: int) -> None: ...

    def add(self, key: str, value: str, ttl_seconds: int) -> bool:
        """Store `value` only if `key` is absent (atomically); False when it was present.

        True as well when the cache cannot tell (unreachable): callers treat the cache as
        best effort and must not fail because of it.
        """
        ...

    def delete(self, *keys: str) -> bool:
        """Remove `keys`; False when the cache could not confirm it (unreachable).

        Writers invalidate before they write and refuse the write when this is False, so that
        a cache that comes back after an outage never serves what the write replaced.
        """
        ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...
