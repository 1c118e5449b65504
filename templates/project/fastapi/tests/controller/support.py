"""Reading responses in the REST tests."""

from typing import Any

from httpx2 import Response


def json_of(response: Response) -> dict[str, Any]:
    """The JSON object of a response (failing with the body when it is not one)."""
    data = response.json()
    assert isinstance(data, dict), response.text
    return data
