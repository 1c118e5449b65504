"""The REST test client of the flask stack, loaded by `tests/conftest.py` as a pytest plugin.

Every stack provides this module with the same fixtures: `app`, `client`, `api_schema` and the REST
helpers the tests of every layer use (`register_user`, `login`, `auth_headers`).
"""

from collections.abc import Callable

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from schemathesis.specs.openapi.schemas import OpenApiSchema

from app.factory import create_app
from app.wiring import Container
from tests.conftest import TEST_PASSWORD, JsonDict
from tests.fakes.user_samples import REGISTER_EXTRA


@pytest.fixture
def app(serving_container: Container) -> Flask:
    """The app over `serving_container`: the monolith, or layered over gRPC (`contract` tests)."""
    return create_app(serving_container)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def api_schema(app: Flask) -> OpenApiSchema:
    """The app's own OpenAPI document, for schemathesis to call the app in process."""
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


@pytest.fixture
def register_user(client: FlaskClient) -> Callable[..., JsonDict]:
    """Register through the API and return the created user's JSON."""

    def register(email: str = "ada@example.com", full_name: str = "Ada Lovelace") -> JsonDict:
        response = client.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": TEST_PASSWORD,
                "full_name": full_name,
                **REGISTER_EXTRA,
            },
        )
        assert response.status_code == 201, response.get_json()
        body: JsonDict = response.get_json()
        return body

    return register


@pytest.fixture
def login(client: FlaskClient) -> Callable[[str], JsonDict]:
    """Log in through the API and return the token pair JSON."""

    def do_login(email: str) -> JsonDict:
        response = client.post(
            "/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.get_json()
        body: JsonDict = response.get_json()
        return body

    return do_login


@pytest.fixture
def auth_headers(
    register_user: Callable[..., JsonDict], login: Callable[[str], JsonDict]
) -> dict[str, str]:
    """Authorization headers of a freshly registered user."""
    user = register_user()
    return {"Authorization": f"Bearer {login(user['email'])['access_token']}"}
