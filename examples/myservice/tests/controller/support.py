"""Reading responses in the REST tests."""

from typing import Any

from werkzeug.test import TestResponse


def json_of(response: TestResponse) -> dict[str, Any]:
    """The JSON object of a response (failing with the body when it is not one)."""
    data = response.get_json()
    assert isinstance(data, dict), response.data
    return data
