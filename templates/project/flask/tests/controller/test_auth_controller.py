from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.core.security import TokenService, TokenType
from app.dto.auth_dto import UpdateMeRequest
from app.model.user import User
from app.wiring import Container
from tests.conftest import TEST_PASSWORD, JsonDict
from tests.fakes.user_samples import (
    ADDED_A,
    ADDED_B,
    ADDED_FIELDS,
    OPTIONAL_FIELDS,
    REGISTER_EXTRA,
    REQUIRED_FIELDS,
)

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"
pytestmark = pytest.mark.contract
"""Every test runs in each deployment mode of the project (layered: over gRPC)."""


def assert_error(response: Any, status: int, code: str) -> JsonDict:
    assert response.status_code == status, response.get_json()
    body: JsonDict = response.get_json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def profile(values: JsonDict) -> JsonDict:
    """The fields a user can change, as Python values whatever their JSON form."""
    changeable = {name: values[name] for name in ("full_name", *ADDED_FIELDS)}
    return UpdateMeRequest.model_validate(changeable).model_dump()


def test_register_creates_a_user(client: FlaskClient) -> None:
    response = client.post(
        REGISTER,
        json={
            "email": "Ada@Example.com",
            "password": TEST_PASSWORD,
            "full_name": "Ada Lovelace",
            **REGISTER_EXTRA,
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "email", "full_name", "is_active", "created_at", *ADDED_FIELDS}
    assert all(body[name] is None for name in OPTIONAL_FIELDS)
    assert body["email"] == "ada@example.com"
    assert body["full_name"] == "Ada Lovelace"
    assert body["is_active"] is True
    assert body["created_at"].endswith("+00:00")


def test_register_with_a_taken_email_is_a_conflict(
    client: FlaskClient, register_user: Callable[..., JsonDict]
) -> None:
    register_user("ada@example.com")
    response = client.post(
        REGISTER,
        json={
            "email": "ADA@example.com",
            "password": TEST_PASSWORD,
            "full_name": "Ada Again",
            **REGISTER_EXTRA,
        },
    )
    body = assert_error(response, 409, "CONFLICT")
    assert body["details"] == {"field": "email"}


def test_register_validation_reports_every_field(client: FlaskClient) -> None:
    response = client.post(
        REGISTER, json={"email": "not-an-email", "password": "short", "not-a-field": "x"}
    )
    fields = assert_error(response, 422, "VALIDATION_FAILED")["details"]["fields"]
    assert set(fields) == {"email", "password", "full_name", "not-a-field", *REQUIRED_FIELDS}
    assert all(isinstance(messages, list) and messages for messages in fields.values())


def test_register_rejects_a_body_that_is_not_json(client: FlaskClient) -> None:
    response = client.post(REGISTER, data="{broken", content_type="application/json")
    body = assert_error(response, 422, "VALIDATION_FAILED")
    assert "_schema" in body["details"]["fields"]


def test_register_rejects_oversized_bodies(client: FlaskClient) -> None:
    response = client.post(REGISTER, data="x" * (2 * 1024 * 1024), content_type="application/json")
    assert_error(response, 413, "REQUEST_ENTITY_TOO_LARGE")


def test_login_returns_a_token_pair(
    client: FlaskClient, register_user: Callable[..., JsonDict], container: Container
) -> None:
    user = register_user()
    response = client.post(LOGIN, json={"email": user["email"], "password": TEST_PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == container.settings.access_token_ttl_seconds
    tokens = TokenService(container.settings.jwt_secret.get_secret_value(), "HS256", 1, 1)
    assert tokens.decode(body["access_token"], TokenType.ACCESS) == user["id"]


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "ada@example.com", "password": "wrong-password"},
        {"email": "nobody@example.com", "password": TEST_PASSWORD},
    ],
    ids=["wrong-password", "unknown-email"],
)
def test_login_with_bad_credentials_is_unauthorized(
    client: FlaskClient, register_user: Callable[..., JsonDict], credentials: dict[str, str]
) -> None:
    register_user("ada@example.com")
    response = client.post(LOGIN, json=credentials)
    body = assert_error(response, 401, "UNAUTHORIZED")
    assert body["message"] == "Invalid email or password"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_login_validation(client: FlaskClient) -> None:
    response = client.post(LOGIN, json={"email": "ada@example.com"})
    fields = assert_error(response, 422, "VALIDATION_FAILED")["details"]["fields"]
    assert list(fields) == ["password"]


def test_refresh_issues_a_new_pair(
    client: FlaskClient,
    register_user: Callable[..., JsonDict],
    login: Callable[[str], JsonDict],
) -> None:
    pair = login(register_user()["email"])
    response = client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 200
    renewed = response.get_json()
    assert renewed["refresh_token"] != pair["refresh_token"]
    me = client.get(ME, headers={"Authorization": f"Bearer {renewed['access_token']}"})
    assert me.status_code == 200


def test_a_refresh_token_cannot_be_used_twice(
    client: FlaskClient,
    register_user: Callable[..., JsonDict],
    login: Callable[[str], JsonDict],
) -> None:
    pair = login(register_user()["email"])
    assert client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}).status_code == 200
    reused = client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    body = assert_error(reused, 401, "UNAUTHORIZED")
    assert body["message"] == "Refresh token has already been used"


def test_a_signed_token_for_an_impossible_user_id_is_unauthorized(
    client: FlaskClient, container: Container
) -> None:
    tokens = TokenService(container.settings.jwt_secret.get_secret_value(), "HS256", 900, 900)
    token = tokens.encode(2**63, TokenType.ACCESS)
    response = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "UNAUTHORIZED")


def test_refresh_rejects_access_tokens_and_garbage(
    client: FlaskClient,
    register_user: Callable[..., JsonDict],
    login: Callable[[str], JsonDict],
) -> None:
    pair = login(register_user()["email"])
    assert_error(
        client.post(REFRESH, json={"refresh_token": pair["access_token"]}), 401, "UNAUTHORIZED"
    )
    assert_error(client.post(REFRESH, json={"refresh_token": "garbage"}), 401, "UNAUTHORIZED")
    assert_error(client.post(REFRESH, json={}), 422, "VALIDATION_FAILED")


def test_me_returns_the_authenticated_user(
    client: FlaskClient, auth_headers: dict[str, str]
) -> None:
    response = client.get(ME, headers=auth_headers)
    assert response.status_code == 200
    assert response.get_json()["email"] == "ada@example.com"


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic YWRhOnB3", "Bearer", "Bearer    ", "Bearer not-a-jwt"],
    ids=["missing", "wrong-scheme", "no-token", "blank-token", "invalid-token"],
)
def test_me_without_a_valid_token_is_unauthorized(
    client: FlaskClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    body = assert_error(client.get(ME, headers=headers), 401, "UNAUTHORIZED")
    assert body["details"] == {}


def test_me_rejects_a_refresh_token(
    client: FlaskClient,
    register_user: Callable[..., JsonDict],
    login: Callable[[str], JsonDict],
) -> None:
    pair = login(register_user()["email"])
    response = client.get(ME, headers={"Authorization": f"Bearer {pair['refresh_token']}"})
    assert_error(response, 401, "UNAUTHORIZED")


@pytest.mark.parametrize("change", ["delete", "deactivate"])
def test_a_deleted_or_deactivated_user_is_refused_on_the_next_request(
    client: FlaskClient,
    register_user: Callable[..., JsonDict],
    login: Callable[[str], JsonDict],
    container: Container,
    change: str,
) -> None:
    user = register_user()
    pair = login(user["email"])
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get(ME, headers=headers).status_code == 200  # now in the cache, if any
    # Changed behind the service's back (another process, or by hand in the database).
    with container.sessions().begin() as session:
        row = session.get(User, user["id"])
        assert row is not None
        if change == "delete":
            session.delete(row)
        else:
            row.is_active = False

    assert_error(client.get(ME, headers=headers), 401, "UNAUTHORIZED")
    refreshed = client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert_error(refreshed, 401, "UNAUTHORIZED")


def test_register_takes_the_added_fields_and_me_returns_them(
    client: FlaskClient, login: Callable[[str], JsonDict]
) -> None:
    given = {"full_name": "Ada Lovelace", **ADDED_A}
    payload = {"email": "ada@example.com", "password": TEST_PASSWORD, **given}
    assert client.post(REGISTER, json=payload).status_code == 201
    token = login("ada@example.com")["access_token"]
    me = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert profile(me.get_json()) == profile(given)


def test_patch_me_changes_the_callers_own_fields_only(
    client: FlaskClient,
    register_user: Callable[..., JsonDict],
    login: Callable[[str], JsonDict],
    auth_headers: dict[str, str],
) -> None:
    register_user("grace@example.com", "Grace Hopper")
    changes = {"full_name": "Ada King", **ADDED_B}
    response = client.patch(ME, json=changes, headers=auth_headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["email"] == "ada@example.com"
    assert profile(body) == profile(changes)
    assert profile(client.get(ME, headers=auth_headers).get_json()) == profile(changes)
    grace = {"Authorization": f"Bearer {login('grace@example.com')['access_token']}"}
    assert client.get(ME, headers=grace).get_json()["full_name"] == "Grace Hopper"


def test_patch_me_keeps_emails_unique(
    client: FlaskClient, register_user: Callable[..., JsonDict], auth_headers: dict[str, str]
) -> None:
    register_user("grace@example.com")
    taken = client.patch(ME, json={"email": "GRACE@example.com"}, headers=auth_headers)
    body = assert_error(taken, 409, "CONFLICT")
    assert body["details"] == {"field": "email"}
    own = client.patch(ME, json={"email": "ada@example.com"}, headers=auth_headers)
    assert own.status_code == 200
    moved = client.patch(ME, json={"email": "Ada.King@example.com"}, headers=auth_headers)
    assert moved.get_json()["email"] == "ada.king@example.com"
    login = client.post(LOGIN, json={"email": "ada.king@example.com", "password": TEST_PASSWORD})
    assert login.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"full_name": ""},
        {"full_name": None},
        {"email": "not-an-email"},
        {"email": None},
        {"password": "a-new-password"},
        {"is_active": False},
    ],
    ids=["empty", "blank-name", "null-name", "bad-email", "null-email", "password", "is-active"],
)
def test_patch_me_validates_like_a_resource_patch(
    client: FlaskClient, auth_headers: dict[str, str], payload: JsonDict
) -> None:
    assert_error(client.patch(ME, json=payload, headers=auth_headers), 422, "VALIDATION_FAILED")


@pytest.mark.parametrize("name", REQUIRED_FIELDS)
def test_patch_me_refuses_null_for_a_required_added_field(
    client: FlaskClient, auth_headers: dict[str, str], name: str
) -> None:
    response = client.patch(ME, json={name: None}, headers=auth_headers)
    assert_error(response, 422, "VALIDATION_FAILED")


@pytest.mark.parametrize("name", OPTIONAL_FIELDS)
def test_patch_me_clears_an_optional_added_field_with_null(
    client: FlaskClient, auth_headers: dict[str, str], name: str
) -> None:
    assert client.patch(ME, json={name: ADDED_A[name]}, headers=auth_headers).status_code == 200
    response = client.patch(ME, json={name: None}, headers=auth_headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()[name] is None


def test_patch_me_needs_a_valid_token(client: FlaskClient) -> None:
    response = client.patch(ME, json={"full_name": "Nobody"})
    assert_error(response, 401, "UNAUTHORIZED")
