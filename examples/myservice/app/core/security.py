"""Password hashing (argon2id) and JWT access/refresh tokens."""

import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cached_property

import jwt
from argon2 import Parameters
from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from app.core.errors import UnauthorizedError


def bearer_token(authorization: str | None, missing: str = "Missing bearer token") -> str:
    """The token of an `Authorization: Bearer <token>` value; UnauthorizedError(`missing`) when
    there is none. Shared by the REST guard and the gRPC interceptor."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError(missing)
    return token.strip()


class PasswordHasher:
    """argon2id hashes; `parameters` default to RFC 9106's recommendation for limited memory."""

    def __init__(self, parameters: Parameters = RFC_9106_LOW_MEMORY) -> None:
        self._argon2 = Argon2Hasher.from_parameters(parameters)

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verification so unknown accounts are not revealed by timing."""
        self.verify(self._dummy_hash, password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._argon2.hash(uuid.uuid4().hex)


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


MAX_USER_ID = 2**63 - 1
"""The largest id a BIGINT primary key holds; larger subjects cannot name a user."""
_SUBJECT = re.compile(r"[1-9][0-9]{0,18}")


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says: whose it is, its unique id and when it expires."""

    user_id: int
    token_id: str
    expires_at: datetime


MAX_TOKEN_ID_LENGTH = 64
"""The longest `jti` a refresh token may carry: the `used_refresh_tokens.token_id` column."""

VERIFIED_TOKENS_KEPT = 4096
"""How many verified tokens a process remembers, so that a client's next request with the same
token skips the signature check (about 60 us); expiry is still checked on every use."""


class TokenService:
    def __init__(
        self,
        secret: str,
        algorithm: str,
        access_ttl_seconds: int,
        refresh_ttl_seconds: int,
    ) -> None:
        self._secret = secret
        self._algorithm = algorithm
        self._ttl = {
            TokenType.ACCESS: timedelta(seconds=access_ttl_seconds),
            TokenType.REFRESH: timedelta(seconds=refresh_ttl_seconds),
        }
        self._verified: dict[tuple[str, TokenType], TokenClaims] = {}

    @property
    def access_ttl_seconds(self) -> int:
        return int(self._ttl[TokenType.ACCESS].total_seconds())

    def encode(self, user_id: int, token_type: TokenType) -> str:
        now = datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "type": token_type.value,
            "iat": now,
            "exp": now + self._ttl[token_type],
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=self._algorithm)

    def decode(self, token: str, expected_type: TokenType) -> int:
        """Return the user id of a valid token of `expected_type`, else raise UnauthorizedError."""
        return self.decode_claims(token, expected_type).user_id

    def decode_claims(self, token: str, expected_type: TokenType) -> TokenClaims:
        """The claims of a valid token of `expected_type`, else raise UnauthorizedError.

        A token verified before is not verified again (its claims cannot change), only its
        expiry is checked; whether its user may still use it is the caller's check.
        """
        known = self._verified.get((token, expected_type))
        if known is not None:
            if known.expires_at.timestamp() <= time.time():
                self._verified.pop((token, expected_type), None)
                raise UnauthorizedError("Token has expired")
            return known
        claims = self._verify(token, expected_type)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()
        self._verified[(token, expected_type)] = claims
        return claims

    def _verify(self, token: str, expected_type: TokenType) -> TokenClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                options={"require": ["sub", "exp", "iat", "type", "jti"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise UnauthorizedError("Token has expired") from exc
        except jwt.PyJWTError as exc:
            raise UnauthorizedError("Invalid token") from exc
        if claims["type"] != expected_type.value:
            raise UnauthorizedError(f"Token type must be {expected_type.value}")
        subject, token_id = claims["sub"], claims["jti"]
        # Validly signed yet unusable: the subject must be a user id a BIGINT column can hold.
        if not isinstance(subject, str) or not _SUBJECT.fullmatch(subject):
            raise UnauthorizedError("Invalid token")
        if int(subject) > MAX_USER_ID:
            raise UnauthorizedError("Invalid token")
        if not isinstance(token_id, str) or not 0 < len(token_id) <= MAX_TOKEN_ID_LENGTH:
            raise UnauthorizedError("Invalid token")
        try:
            expires_at = datetime.fromtimestamp(claims["exp"], UTC)
        except (OverflowError, OSError, ValueError):
            # Validly signed, but an `exp` no datetime can hold (year 10000 or later).
            raise UnauthorizedError("Invalid token") from None
        return TokenClaims(user_id=int(subject), token_id=token_id, expires_at=expires_at)
