"""AuthService over a real gRPC server, sharing its container with the REST app."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest

from app.core.client_address import CLIENT_ADDRESS_KEY
from app.grpc.convert import message_to_dict
from app.grpc.errors import error_details
from app.grpc.generated.myservice.v1 import auth_pb2, auth_pb2_grpc
from app.wiring import Container, build_container
from tests.conftest import (
    FAST_PASSWORD_HASHER,
    LOW_ATTEMPT_LIMITS,
    TEST_PASSWORD,
    limited_settings,
)
from tests.fakes.user_samples import (
    ADDED_B_PROTO,
    OPTIONAL_FIELDS,
    REGISTER_EXTRA_PROTO,
    REQUIRED_FIELDS,
)
from tests.grpc.conftest import ServeGrpc, bearer

JsonDict = dict[str, Any]


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def grpc_register(
    stub: auth_pb2_grpc.AuthServiceStub, email: str = "grace@example.com"
) -> auth_pb2.User:
    return stub.Register(
        auth_pb2.RegisterRequest(
            email=email, password=TEST_PASSWORD, full_name="Grace Hopper", **REGISTER_EXTRA_PROTO
        )
    )


def grpc_login(
    stub: auth_pb2_grpc.AuthServiceStub, email: str = "grace@example.com"
) -> auth_pb2.TokenPair:
    return stub.Login(auth_pb2.LoginRequest(email=email, password=TEST_PASSWORD))


def test_rest_token_authenticates_grpc_call(
    register_user: Callable[..., JsonDict],
    login: Callable[[str], JsonDict],
    auth_stub: auth_pb2_grpc.AuthServiceStub,
) -> None:
    user = register_user()
    tokens = login(user["email"])

    me = auth_stub.Me(auth_pb2.MeRequest(), metadata=bearer(tokens["access_token"]))

    assert (me.id, me.email, me.full_name, me.is_active) == (
        user["id"],
        user["email"],
        user["full_name"],
        user["is_active"],
    )
    rest_created_at = as_utc(datetime.fromisoformat(user["created_at"]))
    assert me.created_at.ToDatetime(tzinfo=UTC) == rest_created_at


def test_register_login_refresh_and_me(auth_stub: auth_pb2_grpc.AuthServiceStub) -> None:
    user = grpc_register(auth_stub, email="Grace@Example.com")
    assert user.id > 0
    assert user.email == "grace@example.com"
    assert user.full_name == "Grace Hopper"
    assert user.is_active
    assert user.HasField("created_at")

    tokens = grpc_login(auth_stub)
    assert tokens.token_type == "bearer"
    assert tokens.expires_in == 900
    assert tokens.access_token != tokens.refresh_token

    refreshed = auth_stub.Refresh(auth_pb2.RefreshRequest(refresh_token=tokens.refresh_token))
    assert refreshed.access_token

    for access_token in (tokens.access_token, refreshed.access_token):
        me = auth_stub.Me(auth_pb2.MeRequest(), metadata=bearer(access_token))
        assert me == user


def test_me_without_token_is_unauthenticated(auth_stub: auth_pb2_grpc.AuthServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.Me(auth_pb2.MeRequest())

    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_details(caught.value)["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Bearer ", "Basic Z3JhY2U6c2VjcmV0", "not-a-scheme"],
)
def test_me_with_bad_authorization_is_unauthenticated(
    auth_stub: auth_pb2_grpc.AuthServiceStub, authorization: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.Me(auth_pb2.MeRequest(), metadata=(("authorization", authorization),))

    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_refresh_token_is_not_an_access_token(auth_stub: auth_pb2_grpc.AuthServiceStub) -> None:
    grpc_register(auth_stub)
    tokens = grpc_login(auth_stub)

    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.Me(auth_pb2.MeRequest(), metadata=bearer(tokens.refresh_token))

    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_invalid_register_request_lists_every_field(
    auth_stub: auth_pb2_grpc.AuthServiceStub,
) -> None:
    request = auth_pb2.RegisterRequest(email="not-an-email", password="short", full_name="")

    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.Register(request)

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    body = error_details(caught.value)
    assert body["code"] == "VALIDATION_FAILED"
    assert set(body["details"]["fields"]) == {"email", "password", "full_name", *REQUIRED_FIELDS}
    assert all(body["details"]["fields"][field] for field in ("email", "password", "full_name"))


def test_duplicate_registration_already_exists(auth_stub: auth_pb2_grpc.AuthServiceStub) -> None:
    grpc_register(auth_stub)

    with pytest.raises(grpc.RpcError) as caught:
        grpc_register(auth_stub)

    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error_details(caught.value)["code"] == "CONFLICT"


def test_login_with_wrong_password_is_unauthenticated(
    auth_stub: auth_pb2_grpc.AuthServiceStub,
) -> None:
    grpc_register(auth_stub)

    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.Login(auth_pb2.LoginRequest(email="grace@example.com", password="wrong-password"))

    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_refresh_with_garbage_token_is_unauthenticated(
    auth_stub: auth_pb2_grpc.AuthServiceStub,
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.Refresh(auth_pb2.RefreshRequest(refresh_token="garbage"))

    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_update_me_changes_the_callers_own_fields(auth_stub: auth_pb2_grpc.AuthServiceStub) -> None:
    grpc_register(auth_stub)
    grpc_register(auth_stub, "ada@example.com")
    tokens = grpc_login(auth_stub)
    request = auth_pb2.UpdateMeRequest(full_name="Grace B. Hopper", **ADDED_B_PROTO)

    updated = auth_stub.UpdateMe(request, metadata=bearer(tokens.access_token))

    assert updated.full_name == "Grace B. Hopper"
    assert updated.email == "grace@example.com"
    given = message_to_dict(request)
    assert {name: message_to_dict(updated)[name] for name in ADDED_B_PROTO} == {
        name: given[name] for name in ADDED_B_PROTO
    }
    assert auth_stub.Me(auth_pb2.MeRequest(), metadata=bearer(tokens.access_token)) == updated
    other = grpc_login(auth_stub, "ada@example.com")
    me = auth_stub.Me(auth_pb2.MeRequest(), metadata=bearer(other.access_token))
    assert me.full_name == "Grace Hopper"


@pytest.mark.parametrize(
    ("request_fields", "status"),
    [
        ({}, grpc.StatusCode.INVALID_ARGUMENT),
        ({"full_name": ""}, grpc.StatusCode.INVALID_ARGUMENT),
        ({"full_name": "Grace", "clear": ["full_name"]}, grpc.StatusCode.INVALID_ARGUMENT),
        ({"clear": ["email"]}, grpc.StatusCode.INVALID_ARGUMENT),
        ({"clear": ["password_hash"]}, grpc.StatusCode.INVALID_ARGUMENT),
        ({"email": "ADA@example.com"}, grpc.StatusCode.ALREADY_EXISTS),
    ],
    ids=["empty", "blank-name", "set-and-cleared", "clear-email", "clear-unknown", "taken-email"],
)
def test_update_me_refusals(
    auth_stub: auth_pb2_grpc.AuthServiceStub,
    request_fields: dict[str, Any],
    status: grpc.StatusCode,
) -> None:
    grpc_register(auth_stub)
    grpc_register(auth_stub, "ada@example.com")
    tokens = grpc_login(auth_stub)

    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.UpdateMe(
            auth_pb2.UpdateMeRequest(**request_fields), metadata=bearer(tokens.access_token)
        )

    assert caught.value.code() == status


@pytest.mark.parametrize("name", OPTIONAL_FIELDS)
def test_update_me_clears_an_optional_field(
    auth_stub: auth_pb2_grpc.AuthServiceStub, name: str
) -> None:
    grpc_register(auth_stub)
    tokens = grpc_login(auth_stub)
    metadata = bearer(tokens.access_token)
    set_it = auth_pb2.UpdateMeRequest(**{name: ADDED_B_PROTO[name]})
    assert name in message_to_dict(auth_stub.UpdateMe(set_it, metadata=metadata))

    cleared = auth_stub.UpdateMe(auth_pb2.UpdateMeRequest(clear=[name]), metadata=metadata)

    assert name not in message_to_dict(cleared)


def test_update_me_without_token_is_unauthenticated(
    auth_stub: auth_pb2_grpc.AuthServiceStub,
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        auth_stub.UpdateMe(auth_pb2.UpdateMeRequest(full_name="Nobody"))

    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.fixture
def limited_stub(
    container: Container, serve_grpc: ServeGrpc
) -> Iterator[auth_pb2_grpc.AuthServiceStub]:
    """A server with `LOW_ATTEMPT_LIMITS`, which trusts the client address 127.0.0.1 forwards."""
    limited = build_container(
        limited_settings(container.settings), password_hasher=FAST_PASSWORD_HASHER
    )
    try:
        with grpc.insecure_channel(serve_grpc(limited)) as channel:
            yield auth_pb2_grpc.AuthServiceStub(channel)
    finally:
        limited.close()


def failed_login(
    stub: auth_pb2_grpc.AuthServiceStub, email: str, client: str | None = None
) -> grpc.StatusCode:
    metadata = () if client is None else ((CLIENT_ADDRESS_KEY, client),)
    with pytest.raises(grpc.RpcError) as caught:
        stub.Login(auth_pb2.LoginRequest(email=email, password="wrong"), metadata=metadata)
    code: grpc.StatusCode = caught.value.code()
    return code


def test_logins_after_too_many_failures_are_resource_exhausted(
    limited_stub: auth_pb2_grpc.AuthServiceStub,
) -> None:
    grpc_register(limited_stub)
    grpc_register(limited_stub, "ada@example.com")
    for _ in range(LOW_ATTEMPT_LIMITS["login_failures_per_account"]):
        assert failed_login(limited_stub, "grace@example.com") == grpc.StatusCode.UNAUTHENTICATED

    with pytest.raises(grpc.RpcError) as caught:
        grpc_login(limited_stub)

    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    body = error_details(caught.value)
    assert body["code"] == "TOO_MANY_REQUESTS"
    assert 0 < body["details"]["retry_after_seconds"] <= LOW_ATTEMPT_LIMITS["login_window_seconds"]
    assert grpc_login(limited_stub, "ada@example.com").access_token


def test_a_successful_grpc_login_resets_the_account(
    limited_stub: auth_pb2_grpc.AuthServiceStub,
) -> None:
    grpc_register(limited_stub)
    for round_ in range(3):  # from other addresses: the address limit stays out of the way
        for _ in range(LOW_ATTEMPT_LIMITS["login_failures_per_account"] - 1):
            code = failed_login(limited_stub, "grace@example.com", f"192.0.2.{round_}")
            assert code == grpc.StatusCode.UNAUTHENTICATED
        assert grpc_login(limited_stub).access_token


def test_a_trusted_peer_forwards_the_client_it_serves(
    limited_stub: auth_pb2_grpc.AuthServiceStub,
) -> None:
    for index in range(LOW_ATTEMPT_LIMITS["login_failures_per_address"]):
        failed_login(limited_stub, f"user{index}@example.com", "203.0.113.7")
    exhausted = failed_login(limited_stub, "last@example.com", "203.0.113.7")
    assert exhausted == grpc.StatusCode.RESOURCE_EXHAUSTED
    other = failed_login(limited_stub, "last@example.com", "198.51.100.9")
    assert other == grpc.StatusCode.UNAUTHENTICATED


def test_an_untrusted_peer_is_counted_itself(container: Container, serve_grpc: ServeGrpc) -> None:
    settings = limited_settings(container.settings).model_copy(
        update={"grpc_trusted_forwarders": ""}
    )
    limited = build_container(settings, password_hasher=FAST_PASSWORD_HASHER)
    try:
        with grpc.insecure_channel(serve_grpc(limited)) as channel:
            stub = auth_pb2_grpc.AuthServiceStub(channel)
            for index in range(LOW_ATTEMPT_LIMITS["login_failures_per_address"]):
                failed_login(stub, f"user{index}@example.com", f"192.0.2.{index}")
            forged = failed_login(stub, "last@example.com", "198.51.100.9")
            assert forged == grpc.StatusCode.RESOURCE_EXHAUSTED
    finally:
        limited.close()
