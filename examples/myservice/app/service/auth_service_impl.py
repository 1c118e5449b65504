import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.errors import (
    SCHEMA_FIELD,
    NotFoundError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
    ValidationFailedError,
)
from app.core.security import PasswordHasher, TokenService, TokenType
from app.dto.auth_dto import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UpdateMeRequest,
    UserResponse,
)
from app.model.user import User
from app.repository.attempt_counter import AttemptCount, AttemptCounter
from app.repository.cache_repository import CacheRepository
from app.repository.refresh_token_repository import RefreshTokenRepository
from app.repository.user_repository import UserRepository
from app.service.model_cache import CACHE_UNAVAILABLE, ModelCache, cache_key
from app.service.task_queue import TaskQueue

BAD_CREDENTIALS = "Invalid email or password"
NOTHING_TO_CHANGE = "Give at least one field to change"
TOO_MANY_LOGINS = "Too many failed logins; try again later"
TOO_MANY_REGISTRATIONS = "Too many registrations from this address; try again later"
WELCOME_SUBJECT = "Welcome to Myservice"
WELCOME_BODY = "Hello {full_name},\n\nyour Myservice account is ready.\n"


def user_cache_key(user_id: int) -> str:
    return cache_key("user", UserResponse, user_id)


AUTH_STATE_TTL_SECONDS = 60
"""How long a user's cached "active" state lets requests skip the database. Changes made through
the application end it at once (`user_changed`); a change made outside it (SQL by hand) is seen
within this time."""
ACTIVE = "active"
CHANGED = "changed"
AUTH_STATE_KEY_PREFIX = "user-auth:"
"""The prefix of the auth state keys. The Redis cache keeps a copy of them in each process
(`app.repository.cache_repository_impl`), so the check costs no round trip while nothing changes."""


def auth_state_key(user_id: int) -> str:
    """`active` while the user may authenticate without a database read; `changed` for a while
    after the user row changed, so that no request stores `active` from an older read."""
    return f"{AUTH_STATE_KEY_PREFIX}{user_id}"


@dataclass(frozen=True, slots=True)
class AuthLimits:
    """How many attempts the service accepts per window (fixed windows, from the first attempt).

    Logins: failures per account (normalised email, whether or not it exists) and per client
    address; a successful login clears its account's count and takes itself off the address's.
    Registrations: attempts per client address, successful or not.
    """

    login_failures_per_account: int = 10
    login_failures_per_address: int = 100
    login_window_seconds: int = 900
    registrations_per_address: int = 20
    registration_window_seconds: int = 3600


def login_account_key(email: str) -> str:
    # Hashed: no email address is stored in the counter's store.
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    return f"login:account:{digest}"


def login_address_key(client_address: str) -> str:
    return f"login:address:{client_address}"


def registration_address_key(client_address: str) -> str:
    return f"register:address:{client_address}"


def refuse_over_limit(counts: Sequence[AttemptCount], limits: Sequence[int], message: str) -> None:
    """TooManyRequestsError when a count exceeds its limit, asking to wait for the longest."""
    waits = [
        count.resets_in_seconds
        for count, limit in zip(counts, limits, strict=True)
        if count.attempts > limit
    ]
    if waits:
        raise TooManyRequestsError(message, max(waits))


class AuthServiceImpl:
    def __init__(
        self,
        users: UserRepository,
        refresh_tokens: RefreshTokenRepository,
        cache: CacheRepository,
        tokens: TokenService,
        hasher: PasswordHasher,
        attempts: AttemptCounter,
        tasks: TaskQueue,
        cache_ttl_seconds: int,
        limits: AuthLimits | None = None,
    ) -> None:
        self._users = users
        self._refresh_tokens = refresh_tokens
        self._cache = cache
        self._cached = ModelCache(cache, "user", UserResponse, cache_ttl_seconds)
        self._tokens = tokens
        self._hasher = hasher
        self._attempts = attempts
        self._limits = limits or AuthLimits()
        self._tasks = tasks

    def register(self, data: RegisterRequest, client_address: str | None = None) -> UserResponse:
        if client_address is not None:
            limits = self._limits
            counts = self._attempts.hit(
                [registration_address_key(client_address)], limits.registration_window_seconds
            )
            refuse_over_limit(counts, [limits.registrations_per_address], TOO_MANY_REGISTRATIONS)
        profile = data.model_dump(exclude={"password"})
        user = self._users.add(
            User(**profile, password_hash=self._hasher.hash(data.password), is_active=True)
        )
        # Ids can be reused (SQLite after deletes): never serve an older user's cached entry.
        self._cached.invalidate_after_write(user.id)
        self._tasks.send_email(
            user.email, WELCOME_SUBJECT, WELCOME_BODY.format(full_name=user.full_name)
        )
        return UserResponse.model_validate(user)

    def login(self, data: LoginRequest, client_address: str | None = None) -> TokenPair:
        # Counted before the password is checked (one counter round trip): over a limit, the
        # attempt is refused without telling whether the password was right.
        limits = self._limits
        keys = [login_account_key(data.email)]
        maxima = [limits.login_failures_per_account]
        if client_address is not None:
            keys.append(login_address_key(client_address))
            maxima.append(limits.login_failures_per_address)
        counts = self._attempts.hit(keys, limits.login_window_seconds)
        refuse_over_limit(counts, maxima, TOO_MANY_LOGINS)
        user = self._users.get_by_email(data.email)
        if user is None:
            # The same argon2 work as a wrong password: the answer and its time do not tell
            # whether the email has an account.
            self._hasher.verify_dummy(data.password)
            raise UnauthorizedError(BAD_CREDENTIALS)
        if not self._hasher.verify(user.password_hash, data.password) or not user.is_active:
            raise UnauthorizedError(BAD_CREDENTIALS)
        # A success was no failure: the account starts over, the address gets it back.
        self._attempts.forget(reset=keys[:1], uncount=keys[1:])
        return self._issue_tokens(user.id)

    def refresh(self, data: RefreshRequest) -> TokenPair:
        claims = self._tokens.decode_claims(data.refresh_token, TokenType.REFRESH)
        self._require_active_user(claims.user_id)
        # Single use: the token id is recorded in the database until the token would expire.
        if not self._refresh_tokens.claim(claims.token_id, claims.expires_at):
            raise UnauthorizedError("Refresh token has already been used")
        return self._issue_tokens(claims.user_id)

    def get_user(self, user_id: int) -> UserResponse:
        cached = self._cached.get(user_id)
        if cached is not None:
            return cached
        user = self._users.get_by_id(user_id)
        if user is None:
            raise NotFoundError("User not found", {"id": user_id})
        response = UserResponse.model_validate(user)
        self._cached.put(user_id, response)
        return response

    def update_me(self, user_id: int, data: UpdateMeRequest) -> UserResponse:
        changes = data.changes()
        if not changes:
            raise ValidationFailedError.from_fields({SCHEMA_FIELD: [NOTHING_TO_CHANGE]})
        self._cached.invalidate_before_write(user_id)
        user = self._users.update(user_id, changes)
        self._cached.invalidate_after_write(user_id)
        if user is None:
            raise NotFoundError("User not found", {"id": user_id})
        return UserResponse.model_validate(user)

    def authenticate(self, access_token: str) -> int:
        user_id = self._tokens.decode(access_token, TokenType.ACCESS)
        # One cache read per request while the user is known active, answered by the process's
        # copy of the key while nothing changed it (`AUTH_STATE_KEY_PREFIX`); the database
        # otherwise.
        # Every change of a user row through the application replaces the entry before its
        # transaction commits (`user_changed`), so a deleted or deactivated user is refused on
        # the next request. Without Redis nothing is cached and every request reads the row.
        key = auth_state_key(user_id)
        state = self._cache.get(key)
        if state == ACTIVE:
            return user_id
        self._require_active_user(user_id)
        if state is None:
            self._cache.add(key, ACTIVE, AUTH_STATE_TTL_SECONDS)
        return user_id

    def user_changed(self, user_id: int, *, committed: bool) -> None:
        """A transaction changes (`committed=False`, before its commit) or changed (after it)
        the row of `user_id`: forget what the cache knows of the user.

        Before the commit an unreachable cache fails the write (503), so that a Redis that
        comes back never lets a deleted user in. The `changed` marker keeps requests that read
        the old row meanwhile from caching `active` (they store it only where nothing is).
        """
        key = auth_state_key(user_id)
        if committed:
            self._cache.set(key, CHANGED, AUTH_STATE_TTL_SECONDS)
            self._cached.invalidate_after_write(user_id)
            return
        if not self._cache.delete(key):
            raise ServiceUnavailableError(CACHE_UNAVAILABLE)
        self._cache.set(key, CHANGED, AUTH_STATE_TTL_SECONDS)
        self._cached.invalidate_before_write(user_id)

    def _require_active_user(self, user_id: int) -> None:
        # The database decides: a user deleted or deactivated is refused at once.
        user = self._users.get_by_id(user_id)
        if user is None:
            raise UnauthorizedError("User no longer exists")
        if not user.is_active:
            raise UnauthorizedError("User is inactive")

    def _issue_tokens(self, user_id: int) -> TokenPair:
        return TokenPair(
            access_token=self._tokens.encode(user_id, TokenType.ACCESS),
            refresh_token=self._tokens.encode(user_id, TokenType.REFRESH),
            expires_in=self._tokens.access_ttl_seconds,
        )
