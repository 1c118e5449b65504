"""What the benchmark needs to know of one resource, the same shape for every resource."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.wiring import Container

Payload = Mapping[str, Any]


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    path: str
    """REST collection path, e.g. `/api/v1/products`."""
    payloads: Callable[[Container], tuple[Payload, Payload]]
    """Two valid create bodies (REST JSON) with distinct unique values, referenced rows created
    first: the first seeds the row that is read, the second is created (and deleted) again and
    again."""
    cache_key: Callable[[int], str]
    """The cache key of one row, emptied before each uncached get."""
    stub: Callable[[Any], Any]
    """The gRPC stub class of the resource's service."""
    get_request: Callable[[int], Any]
    list_request: Callable[[int, int], Any]
    create_request: Callable[[Payload], Any]
