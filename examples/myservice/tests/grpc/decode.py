"""Reading values back from response messages in the servicer tests."""

import datetime as dt
from typing import Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp


def present(message: Message, name: str) -> Any:
    """The value of an optional field, or None when it is not set."""
    return getattr(message, name) if message.HasField(name) else None


def timestamp_datetime(timestamp: Timestamp) -> dt.datetime:
    """A `Timestamp` as an aware UTC datetime."""
    return timestamp.ToDatetime(dt.UTC)
