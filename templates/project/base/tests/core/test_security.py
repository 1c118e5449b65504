import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.core.errors import UnauthorizedError
from app.core.security import MAX_USER_ID, PasswordHasher, TokenService, TokenType

SECRET = "unit-test-secret-0123456789abcdefghijklmnop"


def make_tokens(access_ttl: int = 900, refresh_ttl: int = 3600) -> TokenService:
    return TokenService(SECRET, "HS256", access_ttl, refresh_ttl)


def test_password_hashes_are_salted_argon2id_and_verify() -> None:
    hasher = PasswordHasher()
    first, second = hasher.hash("s3cret-pass"), hasher.hash("s3cret-pass")
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106, low memory
    assert first != second
    assert hasher.verify(first, "s3cret-pass")
    assert not hasher.verify(first, "wrong-pass")
    assert not hasher.verify("not-a-hash", "s3cret-pass")


def test_dummy_verification_costs_a_real_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher()
    verified: list[tuple[str, str]] = []
    real_verify = hasher.verify

    def recording_verify(password_hash: str, password: str) -> bool:
        verified.append((password_hash, password))
        return real_verify(password_hash, password)

    monkeypatch.setattr(hasher, "verify", recording_verify)
    hasher.verify_dummy("whatever")
    hasher.verify_dummy("something else")
    [(first_hash, first_password), (second_hash, _)] = verified
    assert first_hash.startswith("$argon2id$")
    assert first_hash == second_hash  # one dummy hash per hasher, computed once
    assert first_password == "whatever"


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


def test_a_token_verified_before_is_still_refused_once_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = make_tokens(access_ttl=60)
    token = tokens.encode(5, TokenType.ACCESS)
    assert tokens.decode(token, TokenType.ACCESS) == 5
    monkeypatch.setattr(jwt, "decode", None)  # a second use does not verify again
    assert tokens.decode(token, TokenType.ACCESS) == 5
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(UnauthorizedError, match="expired"):
        tokens.decode(token, TokenType.ACCESS)


def signed(subject: object, **claims: object) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": subject,
        "type": "access",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "token-id",
        **claims,
    }
    return jwt.encode(payload, SECRET, algorithm="HS256")


def test_claims_name_the_user_the_token_id_and_the_expiry() -> None:
    tokens = make_tokens(refresh_ttl=3600)
    claims = tokens.decode_claims(tokens.encode(7, TokenType.REFRESH), TokenType.REFRESH)
    assert claims.user_id == 7
    assert len(claims.token_id) == 32
    assert 3590 <= (claims.expires_at - datetime.now(UTC)).total_seconds() <= 3601


def test_the_largest_bigint_subject_is_accepted() -> None:
    assert make_tokens().decode(signed(str(MAX_USER_ID)), TokenType.ACCESS) == MAX_USER_ID


@pytest.mark.parametrize(
    "subject",
    [str(MAX_USER_ID + 1), "9" * 400, "0", "-1", "01", "+1", " 1", "1.0", "\u0661"],
)
def test_subjects_that_cannot_name_a_user_are_rejected(subject: str) -> None:
    with pytest.raises(UnauthorizedError, match="Invalid token"):
        make_tokens().decode(signed(subject), TokenType.ACCESS)


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
        signed("not-a-number"),
        signed("1", jti=""),
        signed("1", jti=42),
    ],
    ids=[
        "malformed",
        "missing-claims",
        "foreign-signature",
        "non-numeric-subject",
        "empty-token-id",
        "numeric-token-id",
    ],
)
def test_invalid_tokens_are_rejected(token: str) -> None:
    with pytest.raises(UnauthorizedError, match="Invalid token"):
        make_tokens().decode(token, TokenType.ACCESS)


@pytest.mark.parametrize(
    "claims",
    [{"exp": 10**30}, {"exp": 253_402_300_800}, {"jti": "j" * 65}],
    ids=["absurd-exp", "year-10000", "jti-too-long"],
)
def test_signed_tokens_with_unusable_claims_are_invalid(claims: dict[str, object]) -> None:
    with pytest.raises(UnauthorizedError, match="Invalid token"):
        make_tokens().decode_claims(signed("1", **claims), TokenType.ACCESS)
