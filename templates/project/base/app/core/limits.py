"""Limits every transport applies alike."""

MAX_REQUEST_BYTES = 1024 * 1024
"""The largest request the service reads: a REST body (413 beyond it) or a gRPC message
(RESOURCE_EXHAUSTED beyond it)."""
