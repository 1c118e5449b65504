import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from argon2.profiles import CHEAPEST

from app.core.errors import (
    ConflictError,
    NotFoundError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
    ValidationFailedError,
)
from app.core.security import PasswordHasher, TokenService, TokenType
from app.dto.auth_dto import LoginRequest, RefreshRequest, RegisterRequest, UpdateMeRequest
from app.repository.attempt_counter_impl import InMemoryAttemptCounter
from app.repository.cache_repository_impl import InMemoryCacheRepository
from app.service.auth_service_impl import (
    AuthLimits,
    AuthServiceImpl,
    auth_state_key,
    user_cache_key,
)
from tests.conftest import FAST_PASSWORD_HASHER
from tests.fakes.fake_refresh_token_repository import InMemoryRefreshTokenRepository
from tests.fakes.fake_task_queue import RecordingTaskQueue
from tests.fakes.fake_user_repository import InMemoryUserRepository
from tests.fakes.user_samples import ADDED_B, REGISTER_EXTRA

PASSWORD = "correct-horse-battery"
CACHE_TTL = 120


class FakeClock:
    """The attempt counter's clock: tests move it instead of sleeping through a window."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    service: AuthServiceImpl
    users: InMemoryUserRepository
    refresh_tokens: InMemoryRefreshTokenRepository
    cache: InMemoryCacheRepository
    tasks: RecordingTaskQueue
    tokens: TokenService
    clock: FakeClock


@pytest.fixture
def harness() -> Harness:
    return build_harness()


class CountingHasher(PasswordHasher):
    """The cheapest argon2, counting the hashes it checks against."""

    def __init__(self) -> None:
        super().__init__(CHEAPEST)
        self.verified: list[str] = []

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return super().verify(password_hash, password)


def build_harness(
    limits: AuthLimits | None = None, hasher: PasswordHasher = FAST_PASSWORD_HASHER
) -> Harness:
    clock = FakeClock()
    users = InMemoryUserRepository()
    cache = InMemoryCacheRepository()
    tasks = RecordingTaskQueue()
    refresh_tokens = InMemoryRefreshTokenRepository()
    tokens = TokenService("service-test-secret-0123456789abcdefghij", "HS256", 900, 3600)
    service = AuthServiceImpl(
        users=users,
        refresh_tokens=refresh_tokens,
        cache=cache,
        tokens=tokens,
        hasher=hasher,
        tasks=tasks,
        attempts=InMemoryAttemptCounter(clock),
        cache_ttl_seconds=CACHE_TTL,
        limits=limits,
    )
    return Harness(
        service=service,
        users=users,
        refresh_tokens=refresh_tokens,
        cache=cache,
        tasks=tasks,
        tokens=tokens,
        clock=clock,
    )


def register(harness: Harness, email: str = "Alan@Example.com") -> int:
    request = RegisterRequest(
        email=email, password=PASSWORD, full_name="Alan Turing", **REGISTER_EXTRA
    )
    return harness.service.register(request).id


def test_register_stores_a_hash_and_schedules_the_welcome_email(harness: Harness) -> None:
    user = harness.service.register(
        RegisterRequest(
            email="Alan@Example.com", password=PASSWORD, full_name="Alan Turing", **REGISTER_EXTRA
        )
    )
    assert user.email == "alan@example.com"
    assert user.is_active
    stored = harness.users.users[user.id]
    assert stored.password_hash != PASSWORD
    assert FAST_PASSWORD_HASHER.verify(stored.password_hash, PASSWORD)
    assert len(harness.tasks.emails) == 1
    to, subject, body = harness.tasks.emails[0]
    assert to == "alan@example.com"
    assert subject == "Welcome to Myservice"
    assert "Alan Turing" in body


def test_register_refuses_a_taken_email(harness: Harness) -> None:
    register(harness, "alan@example.com")
    with pytest.raises(ConflictError):
        register(harness, "ALAN@example.com")
    assert len(harness.tasks.emails) == 1


def test_register_invalidates_a_stale_cache_entry(harness: Harness) -> None:
    harness.cache.set(user_cache_key(1), '{"stale": true}', ttl_seconds=60)
    user_id = register(harness)
    assert user_id == 1
    assert harness.cache.get(user_cache_key(1)) is None


def test_login_issues_a_token_pair(harness: Harness) -> None:
    user_id = register(harness)
    pair = harness.service.login(LoginRequest(email="ALAN@example.com", password=PASSWORD))
    assert pair.token_type == "bearer"
    assert pair.expires_in == 900
    assert harness.tokens.decode(pair.access_token, TokenType.ACCESS) == user_id
    assert harness.tokens.decode(pair.refresh_token, TokenType.REFRESH) == user_id


@pytest.mark.parametrize(
    ("email", "password"),
    [("alan@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_login_rejects_bad_credentials_alike(harness: Harness, email: str, password: str) -> None:
    register(harness)
    with pytest.raises(UnauthorizedError, match="Invalid email or password"):
        harness.service.login(LoginRequest(email=email, password=password))


LIMITS = AuthLimits(
    login_failures_per_account=3,
    login_failures_per_address=5,
    login_window_seconds=60,
    registrations_per_address=2,
    registration_window_seconds=300,
)
CLIENT = "203.0.113.7"


@pytest.fixture
def limited() -> Harness:
    return build_harness(LIMITS)


def fail_login(harness: Harness, email: str = "alan@example.com", client: str = CLIENT) -> None:
    with pytest.raises(UnauthorizedError):
        harness.service.login(LoginRequest(email=email, password="wrong-password"), client)


def test_logins_after_too_many_failures_on_an_account_are_refused(limited: Harness) -> None:
    register(limited)
    for _ in range(3):
        fail_login(limited)
    with pytest.raises(TooManyRequestsError) as refused:
        # The right password too: over the limit nothing is checked.
        limited.service.login(LoginRequest(email="alan@example.com", password=PASSWORD), CLIENT)
    assert refused.value.details == {"retry_after_seconds": 60}
    # Another account, even from the same address, is not affected.
    register(limited, "grace@example.com")
    limited.service.login(LoginRequest(email="grace@example.com", password=PASSWORD), CLIENT)


def test_the_account_limit_holds_from_any_address_and_without_one(limited: Harness) -> None:
    register(limited)
    for index in range(3):
        fail_login(limited, client=f"198.51.100.{index}")
    with pytest.raises(TooManyRequestsError):
        limited.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))


def test_unknown_emails_are_limited_like_known_ones(limited: Harness) -> None:
    for _ in range(3):
        fail_login(limited, "nobody@example.com")
    with pytest.raises(TooManyRequestsError):
        fail_login(limited, "nobody@example.com")


def test_a_successful_login_resets_the_account_count(limited: Harness) -> None:
    register(limited)
    for _ in range(2):
        fail_login(limited)
    limited.service.login(LoginRequest(email="alan@example.com", password=PASSWORD), CLIENT)
    for _ in range(3):
        fail_login(limited)
    with pytest.raises(TooManyRequestsError):
        fail_login(limited)


def test_the_limit_ends_with_its_window(limited: Harness) -> None:
    register(limited)
    for _ in range(3):
        fail_login(limited)
    limited.clock.now += 45
    with pytest.raises(TooManyRequestsError) as refused:
        fail_login(limited)
    assert refused.value.details == {"retry_after_seconds": 15}
    limited.clock.now += 15
    pair = limited.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))
    assert limited.tokens.decode(pair.access_token, TokenType.ACCESS) == 1


def test_failures_from_one_address_are_limited_across_accounts(limited: Harness) -> None:
    register(limited)
    for index in range(5):
        fail_login(limited, f"user{index}@example.com")
    with pytest.raises(TooManyRequestsError):
        limited.service.login(LoginRequest(email="alan@example.com", password=PASSWORD), CLIENT)
    # Another address may still log in to the account.
    limited.service.login(LoginRequest(email="alan@example.com", password=PASSWORD), "192.0.2.1")


def test_successful_logins_do_not_count_against_their_address(limited: Harness) -> None:
    register(limited)
    for _ in range(10):
        limited.service.login(LoginRequest(email="alan@example.com", password=PASSWORD), CLIENT)
    for index in range(5):
        fail_login(limited, f"user{index}@example.com")
    with pytest.raises(TooManyRequestsError):
        fail_login(limited, "last@example.com")


def test_registrations_are_limited_per_address(limited: Harness) -> None:
    def register_from(email: str, client: str) -> None:
        request = RegisterRequest(
            email=email, password=PASSWORD, full_name="Alan Turing", **REGISTER_EXTRA
        )
        limited.service.register(request, client)

    register_from("a@example.com", CLIENT)
    with pytest.raises(ConflictError):
        register_from("a@example.com", CLIENT)  # a taken email counts as well
    with pytest.raises(TooManyRequestsError) as refused:
        register_from("b@example.com", CLIENT)
    assert refused.value.details == {"retry_after_seconds": 300}
    register_from("b@example.com", "192.0.2.1")
    register(limited, "c@example.com")  # internal callers give no address: not limited
    limited.clock.now += 300
    register_from("d@example.com", CLIENT)


def test_an_unknown_email_costs_one_argon2_check_like_a_wrong_password() -> None:
    hasher = CountingHasher()
    harness = build_harness(hasher=hasher)
    register(harness)
    for email in ("alan@example.com", "nobody@example.com"):
        with pytest.raises(UnauthorizedError, match="Invalid email or password"):
            harness.service.login(LoginRequest(email=email, password="wrong-password"))
    stored, dummy = hasher.verified
    assert stored == harness.users.users[1].password_hash
    assert dummy.startswith("$argon2id$")
    assert dummy != stored


def test_inactive_users_cannot_log_in_refresh_or_authenticate(harness: Harness) -> None:
    user_id = register(harness)
    pair = harness.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))
    harness.service.get_user(user_id)  # an entry in the cache must not keep the user in
    harness.users.users[user_id].is_active = False
    with pytest.raises(UnauthorizedError):
        harness.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))
    with pytest.raises(UnauthorizedError, match="inactive"):
        harness.service.refresh(RefreshRequest(refresh_token=pair.refresh_token))
    with pytest.raises(UnauthorizedError, match="inactive"):
        harness.service.authenticate(pair.access_token)


def test_a_known_active_user_is_authenticated_from_the_cache_alone(harness: Harness) -> None:
    user_id = register(harness)
    pair = harness.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))
    assert harness.service.authenticate(pair.access_token) == user_id
    assert harness.cache.get(auth_state_key(user_id)) == "active"
    del harness.users.users[user_id]  # unseen by the service: only the cache is read now
    assert harness.service.authenticate(pair.access_token) == user_id


@pytest.mark.parametrize("committed", [False, True])
def test_a_changed_user_is_read_from_the_database_again(harness: Harness, committed: bool) -> None:
    user_id = register(harness)
    pair = harness.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))
    harness.service.authenticate(pair.access_token)
    harness.users.users[user_id].is_active = False

    harness.service.user_changed(user_id, committed=committed)

    assert harness.cache.get(auth_state_key(user_id)) == "changed"
    with pytest.raises(UnauthorizedError, match="inactive"):
        harness.service.authenticate(pair.access_token)
    harness.users.users[user_id].is_active = True
    assert harness.service.authenticate(pair.access_token) == user_id
    assert harness.cache.get(auth_state_key(user_id)) == "changed"  # not `active` meanwhile


def test_a_user_change_the_cache_cannot_confirm_is_refused(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = register(harness)
    monkeypatch.setattr(harness.cache, "delete", lambda *keys: False)
    with pytest.raises(ServiceUnavailableError):
        harness.service.user_changed(user_id, committed=False)


def test_refresh_exchanges_a_refresh_token_only(harness: Harness) -> None:
    user_id = register(harness)
    pair = harness.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))
    renewed = harness.service.refresh(RefreshRequest(refresh_token=pair.refresh_token))
    assert renewed.refresh_token != pair.refresh_token
    assert harness.tokens.decode(renewed.access_token, TokenType.ACCESS) == user_id
    with pytest.raises(UnauthorizedError):
        harness.service.refresh(RefreshRequest(refresh_token=pair.access_token))


def test_each_refresh_token_works_once(harness: Harness) -> None:
    register(harness)
    pair = harness.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))
    renewed = harness.service.refresh(RefreshRequest(refresh_token=pair.refresh_token))
    with pytest.raises(UnauthorizedError, match="already been used"):
        harness.service.refresh(RefreshRequest(refresh_token=pair.refresh_token))
    assert harness.service.refresh(RefreshRequest(refresh_token=renewed.refresh_token))


def test_refresh_records_the_token_id_until_the_token_expires(harness: Harness) -> None:
    user_id = register(harness)
    refresh_token = harness.tokens.encode(user_id, TokenType.REFRESH)
    claims = harness.tokens.decode_claims(refresh_token, TokenType.REFRESH)
    harness.service.refresh(RefreshRequest(refresh_token=refresh_token))
    assert harness.refresh_tokens.used == {claims.token_id: claims.expires_at}
    assert 3590 <= (claims.expires_at - datetime.now(UTC)).total_seconds() <= 3601


def test_a_refresh_token_claimed_by_another_process_is_refused(harness: Harness) -> None:
    user_id = register(harness)
    refresh_token = harness.tokens.encode(user_id, TokenType.REFRESH)
    claims = harness.tokens.decode_claims(refresh_token, TokenType.REFRESH)
    assert harness.refresh_tokens.claim(claims.token_id, claims.expires_at)
    with pytest.raises(UnauthorizedError, match="already been used"):
        harness.service.refresh(RefreshRequest(refresh_token=refresh_token))


def test_tokens_of_deleted_users_are_rejected(harness: Harness) -> None:
    user_id = register(harness)
    pair = harness.service.login(LoginRequest(email="alan@example.com", password=PASSWORD))
    harness.service.get_user(user_id)  # an entry in the cache must not keep the user in
    del harness.users.users[user_id]
    with pytest.raises(UnauthorizedError, match="no longer exists"):
        harness.service.authenticate(pair.access_token)
    with pytest.raises(UnauthorizedError, match="no longer exists"):
        harness.service.refresh(RefreshRequest(refresh_token=pair.refresh_token))


def test_authenticate_returns_the_user_id(harness: Harness) -> None:
    user_id = register(harness)
    assert harness.service.authenticate(harness.tokens.encode(user_id, TokenType.ACCESS)) == user_id
    with pytest.raises(UnauthorizedError):
        harness.service.authenticate(harness.tokens.encode(user_id, TokenType.REFRESH))
    with pytest.raises(UnauthorizedError):
        harness.service.authenticate("not-a-token")


def test_get_user_reads_through_the_cache(harness: Harness) -> None:
    user_id = register(harness)
    first = harness.service.get_user(user_id)
    calls = harness.users.get_by_id_calls
    second = harness.service.get_user(user_id)
    assert second == first
    assert harness.users.get_by_id_calls == calls
    cached = harness.cache.get(user_cache_key(user_id))
    assert cached is not None
    assert json.loads(cached)["email"] == "alan@example.com"


def test_get_user_of_an_unknown_id_is_not_found_and_not_cached(harness: Harness) -> None:
    with pytest.raises(NotFoundError) as caught:
        harness.service.get_user(404)
    assert caught.value.details == {"id": 404}
    assert harness.cache.get(user_cache_key(404)) is None


def test_update_me_changes_only_the_given_fields(harness: Harness) -> None:
    user_id = register(harness)
    other_id = register(harness, "grace@example.com")
    changes = UpdateMeRequest.model_validate({"full_name": "Alan M. Turing", **ADDED_B})
    updated = harness.service.update_me(user_id, changes)
    assert updated.full_name == "Alan M. Turing"
    assert updated.email == "alan@example.com"
    assert {name: getattr(updated, name) for name in ADDED_B} == {
        name: getattr(changes, name) for name in ADDED_B
    }
    assert harness.service.get_user(user_id) == updated
    assert harness.service.get_user(other_id).full_name == "Alan Turing"


def test_update_me_refuses_a_taken_email_and_an_empty_change(harness: Harness) -> None:
    user_id = register(harness)
    register(harness, "grace@example.com")
    with pytest.raises(ConflictError) as caught:
        harness.service.update_me(user_id, UpdateMeRequest(email="grace@example.com"))
    assert caught.value.details == {"field": "email"}
    with pytest.raises(ValidationFailedError):
        harness.service.update_me(user_id, UpdateMeRequest())
    assert harness.service.get_user(user_id).email == "alan@example.com"


def test_update_me_of_a_deleted_user_is_not_found(harness: Harness) -> None:
    user_id = register(harness)
    del harness.users.users[user_id]
    with pytest.raises(NotFoundError):
        harness.service.update_me(user_id, UpdateMeRequest(full_name="Gone"))
