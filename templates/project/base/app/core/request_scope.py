"""What the request being served hands on to the calls it makes downstream.

The REST middleware sets these values when a request starts and resets them when it ends; the
gRPC clients of a layered process forward them (the request id itself is `request_id_var` in
`app.core.logging`).
"""

from contextvars import ContextVar

authorization_var: ContextVar[str | None] = ContextVar("authorization", default=None)
"""The request's `Authorization` header as received (None without one)."""
