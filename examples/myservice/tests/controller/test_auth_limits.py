"""Login and registration limits over REST, in each deployment mode (layered: the gRPC process
counts, and believes the client address that the REST process forwards)."""

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from app.middleware.container import current_container
from app.wiring import Container, build_container, set_container
from tests.conftest import (
    FAST_PASSWORD_HASHER,
    LOW_ATTEMPT_LIMITS,
    TEST_PASSWORD,
    JsonDict,
    limited_settings,
)
from tests.fakes.user_samples import REGISTER_EXTRA

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.9"
WRONG_PASSWORD = "wrong-password"
pytestmark = pytest.mark.contract


@pytest.fixture
def container(container: Container) -> Iterator[Container]:
    """The project's container with low limits, serving the REST app (or its gRPC server)."""
    limited = build_container(
        limited_settings(container.settings), password_hasher=FAST_PASSWORD_HASHER
    )
    set_container(limited)
    yield limited
    set_container(container)
    limited.close()


def post(app: Flask, path: str, body: JsonDict, client: str = CLIENT, **headers: str) -> Any:
    return app.test_client().post(
        path, json=body, headers=headers, environ_base={"REMOTE_ADDR": client}
    )


def register(app: Flask, email: str, client: str = CLIENT) -> Any:
    body = {"email": email, "password": TEST_PASSWORD, "full_name": "Ada", **REGISTER_EXTRA}
    return post(app, REGISTER, body, client)


def login(app: Flask, email: str, password: str = WRONG_PASSWORD, **kwargs: Any) -> Any:
    return post(app, LOGIN, {"email": email, "password": password}, **kwargs)


def assert_too_many(response: Any) -> None:
    assert response.status_code == 429, response.get_json()
    body = response.get_json()
    assert body["code"] == "TOO_MANY_REQUESTS"
    wait = body["details"]["retry_after_seconds"]
    assert 0 < wait <= LOW_ATTEMPT_LIMITS["login_window_seconds"]
    assert response.headers["Retry-After"] == str(wait)


def test_logins_after_too_many_failures_answer_429_with_retry_after(app: Flask) -> None:
    assert register(app, "ada@example.com").status_code == 201
    assert register(app, "grace@example.com").status_code == 201
    for _ in range(LOW_ATTEMPT_LIMITS["login_failures_per_account"]):
        assert login(app, "ada@example.com").status_code == 401
    assert_too_many(login(app, "ada@example.com", TEST_PASSWORD))
    assert login(app, "grace@example.com", TEST_PASSWORD).status_code == 200


def test_a_successful_login_resets_the_account(app: Flask) -> None:
    register(app, "ada@example.com")
    for round_ in range(3):  # from other addresses: the address limit stays out of the way
        client = f"192.0.2.{round_}"
        for _ in range(LOW_ATTEMPT_LIMITS["login_failures_per_account"] - 1):
            assert login(app, "ada@example.com", client=client).status_code == 401
        assert login(app, "ada@example.com", TEST_PASSWORD, client=client).status_code == 200


def test_unknown_email_and_wrong_password_answer_alike(app: Flask) -> None:
    register(app, "ada@example.com")
    wrong_password = login(app, "ada@example.com")
    unknown_email = login(app, "nobody@example.com")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_json() == unknown_email.get_json()
    assert wrong_password.headers.get("WWW-Authenticate") == unknown_email.headers.get(
        "WWW-Authenticate"
    )


def test_failures_from_one_address_are_limited_and_forwarded_for_is_not_believed(
    app: Flask,
) -> None:
    register(app, "ada@example.com")
    for index in range(LOW_ATTEMPT_LIMITS["login_failures_per_address"]):
        forged = {"X-Forwarded-For": f"192.0.2.{index}"}
        assert login(app, f"user{index}@example.com", **forged).status_code == 401
    assert_too_many(login(app, "ada@example.com", TEST_PASSWORD))
    # The limit counts the real client: another one is not affected.
    assert login(app, "ada@example.com", TEST_PASSWORD, client=OTHER_CLIENT).status_code == 200


def test_registrations_are_limited_per_address(app: Flask) -> None:
    for index in range(LOW_ATTEMPT_LIMITS["registrations_per_address"]):
        assert register(app, f"user{index}@example.com").status_code == 201
    assert_too_many(register(app, "late@example.com"))
    assert register(app, "late@example.com", OTHER_CLIENT).status_code == 201


def test_a_trusted_proxy_names_the_client(app: Flask) -> None:
    with app.app_context():  # the REST side's settings (layered: not the gRPC server's)
        current_container().settings.trusted_proxy_hops = 1
    for index in range(LOW_ATTEMPT_LIMITS["login_failures_per_address"]):
        proxied = {"X-Forwarded-For": f"192.0.2.1, {CLIENT}"}
        response = login(app, f"user{index}@example.com", client="10.0.0.2", **proxied)
        assert response.status_code == 401
    assert_too_many(login(app, "x@example.com", client="10.0.0.3", **proxied))
    other = {"X-Forwarded-For": OTHER_CLIENT}
    assert login(app, "x@example.com", client="10.0.0.2", **other).status_code == 401
