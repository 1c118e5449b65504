from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.core.errors import UnauthorizedError
from app.core.security import PasswordHasher, TokenService, TokenType

SECRET = "unit-test-secret-0123456789abcdefghijklmnop"


def make_tokens(access_ttl: int = 900, refresh_ttl: int = 3600) -> TokenService:
    return TokenService(SECRET, "HS256", access_ttl, refresh_ttl)


def test_password_hashes_are_salted_argon2id_and_verify() -> None:
    hasher = PasswordHasher()
    first, second = hasher.hash("s3cret-pass"), hasher.hash("s3cret-pass")
    assert first.startswith("$argon2id$")
    assert first != second
    assert hasher.verify(first, "s3cret-pass")
    assert not hasher.verify(first, "wrong-pass")
    assert not hasher.verify("not-a-hash", "s3cret-pass")


def test_dummy_verification_accepts_any_password() -> None:
    PasswordHasher().verify_dummy("whatever")


@pytest.mark.parametrize("token_type", list(TokenType))
def test_tokens_round_trip(token_type: TokenType) -> None:
    tokens = make_tokens()
    assert tokens.decode(tokens.encode(42, token_type), token_type) == 42


def test_tokens_are_unique_and_carry_standard_claims() -> None:
    tokens = make_tokens()
    first, second = tokens.encode(1, TokenType.ACCESS), tokens.encode(1, TokenType.ACCESS)
    assert first != second
    claims = jwt.decode(first, SECRET, algorithms=["HS256"])
    assert claims["sub"] == "1"
    assert claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == 900
    assert tokens.access_ttl_seconds == 900


def test_a_token_of_the_other_type_is_rejected() -> None:
    tokens = make_tokens()
    with pytest.raises(UnauthorizedError, match="must be access"):
        tokens.decode(tokens.encode(1, TokenType.REFRESH), TokenType.ACCESS)


def test_expired_tokens_are_rejected() -> None:
    tokens = make_tokens(access_ttl=-1)
    with pytest.raises(UnauthorizedError, match="expired"):
        tokens.decode(tokens.encode(1, TokenType.ACCESS), TokenType.ACCESS)


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        jwt.encode({"sub": "1", "type": "access"}, SECRET, algorithm="HS256"),
        jwt.encode(
            {
                "sub": "1",
                "type": "access",
                "iat": datetime.now(UTC),
                "exp": datetime.now(UTC) + timedelta(minutes=5),
            },
            "another-secret-0123456789abcdefghijklmnop",
            algorithm="HS256",
        ),
        jwt.encode(
            {
                "sub": "not-a-number",
                "type": "access",
                "iat": datetime.now(UTC),
                "exp": datetime.now(UTC) + timedelta(minutes=5),
            },
            SECRET,
            algorithm="HS256",
        ),
    ],
    ids=["malformed", "missing-claims", "foreign-signature", "non-numeric-subject"],
)
def test_invalid_tokens_are_rejected(token: str) -> None:
    with pytest.raises(UnauthorizedError, match="Invalid token"):
        make_tokens().decode(token, TokenType.ACCESS)
