"""Small helpers on values that several layers share."""

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def maybe(convert: Callable[[T], R], value: T | None) -> R | None:
    """`convert(value)`, or None when the value is None (an optional field left empty)."""
    return None if value is None else convert(value)
