"""Strict parsing of JSON request bodies, for the REST adapters.

Python's `json` accepts `NaN`, `Infinity` and numbers that overflow to infinity (none of which is
JSON), raises RecursionError on deeply nested input and ValueError on integers of more than
4,300 digits. `parse_json_body` turns every one of these into a ValueError with a reason, so
that the adapter answers 400 before any other work, and never logs a traceback for them.
"""

import json
import math
from typing import Any

MAX_DEPTH = 64
"""The deepest nesting of arrays and objects a body may have."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json_body(data: bytes | str) -> Any:
    """The decoded body; ValueError naming the reason when it is not acceptable JSON."""
    try:
        value = json.loads(data, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
    # Only a body with more brackets than MAX_DEPTH can be nested that deep: skip the walk.
    text = data if isinstance(data, str) else data.decode("utf-8")
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    return value
