from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AttemptCount:
    """A key's attempts in its current window, and the seconds until that window ends."""

    attempts: int
    resets_in_seconds: int


class AttemptCounter(Protocol):
    """Attempts per key in fixed windows: a key's window starts with its first attempt and
    lasts `window_seconds`; the count then starts again from zero."""

    def hit(self, keys: Sequence[str], window_seconds: int) -> list[AttemptCount]:
        """Count one attempt on each of `keys`; their counts including it, in order.

        Never fails: a counter that cannot reach its store counts in process instead.
        """
        ...

    def forget(self, reset: Sequence[str] = (), uncount: Sequence[str] = ()) -> None:
        """Drop the counts of `reset` and take back one attempt from each of `uncount`."""
        ...
