"""Password hashing (argon2id) and JWT access/refresh tokens."""

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cached_property

import jwt
from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.errors import UnauthorizedError


class PasswordHasher:
    def __init__(self) -> None:
        self._argon2 = Argon2Hasher()

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
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                options={"require": ["sub", "exp", "iat", "type"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise UnauthorizedError("Token has expired") from exc
        except jwt.PyJWTError as exc:
            raise UnauthorizedError("Invalid token") from exc
        if claims["type"] != expected_type.value:
            raise UnauthorizedError(f"Token type must be {expected_type.value}")
        try:
            return int(claims["sub"])
        except ValueError as exc:
            raise UnauthorizedError("Invalid token") from exc
