import logging
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from app.config.settings import (
    DEFAULT_DATABASE_URL,
    Settings,
    get_settings,
    get_settings_or_exit,
)

LONG_SECRET = "s3cr3t-Ke7-for-7ests-only-xYz-0123456789"
DATABASE_URL = "postgresql+psycopg://app:db-password@db:5432/app"
REDIS_URL = "redis://:redis-password@redis:6379/0"
PRODUCTION = {
    "database_url": DATABASE_URL,
    "redis_url": REDIS_URL,
    "jwt_secret": LONG_SECRET,
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test sets: no setting from the environment or a `.env` in the working dir."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def make_settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_production_requires_a_jwt_secret_and_every_url() -> None:
    with pytest.raises(ValidationError) as caught:
        make_settings(app_env="production")
    message = str(caught.value)
    assert "DATABASE_URL must be set" in message
    assert "REDIS_URL must be set" in message
    assert "JWT_SECRET must be set" in message


def test_production_runs_with_every_setting_given() -> None:
    settings = make_settings(app_env="production", **PRODUCTION)
    assert settings.is_production
    assert settings.database_url.get_secret_value() == DATABASE_URL


def test_production_rejects_a_short_jwt_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        make_settings(app_env="production", **{**PRODUCTION, "jwt_secret": "short"})


@pytest.mark.parametrize(
    "secret",
    [
        "a" * 32,
        " " * 32,
        "ab" * 32,
        "REPLACE-WITH-AT-LEAST-32-RANDOM-CHARACTERS",
    ],
    ids=["one-character", "spaces", "two-characters", "placeholder"],
)
def test_production_rejects_a_weak_jwt_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        make_settings(app_env="production", **{**PRODUCTION, "jwt_secret": secret})


@pytest.mark.parametrize("secret", ["0123456789abcdef" * 2, "x7Qp2-Lm9_vB4nRt8sKw1zYc6hJd3fGa"])
def test_production_accepts_a_random_jwt_secret(secret: str) -> None:
    assert make_settings(app_env="production", **{**PRODUCTION, "jwt_secret": secret}).is_production


@pytest.mark.parametrize("value", ["Production", " PRODUCTION ", "production"])
def test_the_environment_name_is_case_insensitive(value: str) -> None:
    assert make_settings(app_env=value, **PRODUCTION).is_production


def test_an_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="'development', 'test' or 'production'"):
        make_settings(app_env="prod")


def test_jwt_algorithm_is_an_hmac_sha2_variant() -> None:
    assert make_settings(jwt_algorithm="hs512").jwt_algorithm == "HS512"
    with pytest.raises(ValidationError, match="HS256"):
        make_settings(jwt_algorithm="none")


def test_errors_and_reprs_never_show_secrets() -> None:
    with pytest.raises(ValidationError) as caught:
        make_settings(
            app_env="production",
            jwt_secret="short-but-secret",
            redis_url=REDIS_URL,
        )
    settings = make_settings(**PRODUCTION)
    secrets = [
        "db-password",
        "redis-password",
        "short-but-secret",
        LONG_SECRET,
    ]
    for text in (str(caught.value), repr(settings), str(settings.model_dump())):
        for secret in secrets:
            assert secret not in text


def test_development_falls_back_to_sqlite_and_one_random_secret_per_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        first, second = make_settings(), make_settings()
    assert first.database_url.get_secret_value() == DEFAULT_DATABASE_URL
    assert first.redis_url is None
    assert len(first.jwt_secret.get_secret_value()) >= 32
    assert first.jwt_secret == second.jwt_secret
    assert "JWT_SECRET is not set" in caplog.text


def test_development_warns_about_a_short_secret(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        settings = make_settings(jwt_secret="short")
    assert settings.jwt_secret.get_secret_value() == "short"
    assert "at least 32 characters" in caplog.text


def test_log_json_follows_the_environment_unless_set() -> None:
    assert make_settings(app_env="production", **PRODUCTION).log_json is True
    assert make_settings(app_env="development", jwt_secret=LONG_SECRET).log_json is False
    explicit = make_settings(app_env="production", log_json=False, **PRODUCTION)
    assert explicit.log_json is False


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.db")
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("ACCESS_TOKEN_TTL_SECONDS", "60")
    settings = make_settings(jwt_secret=LONG_SECRET)
    assert settings.database_url == SecretStr("sqlite:///from-env.db")
    assert settings.redis_url is None
    assert settings.access_token_ttl_seconds == 60
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert make_settings().redis_url == SecretStr("redis://127.0.0.1:6379/3")


def test_values_come_from_dot_env_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"JWT_SECRET={LONG_SECRET}\nAPP_ENV=Test\n")
    settings = Settings()
    assert settings.jwt_secret.get_secret_value() == LONG_SECRET
    assert settings.app_env == "test"


def test_get_settings_is_cached() -> None:
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()


def test_invalid_settings_end_the_process_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", "short-but-secret")
    monkeypatch.setenv("LOG_JSON", "not-a-flag")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exited:
            get_settings_or_exit()
    finally:
        get_settings.cache_clear()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: invalid settings: LOG_JSON: Input should be a valid boolean")
    assert "DATABASE_URL must be set" not in err  # field errors come before the cross checks
    assert "short-but-secret" not in err


def test_cross_field_problems_are_listed_on_the_same_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit):
            get_settings_or_exit()
    finally:
        get_settings.cache_clear()
    assert capsys.readouterr().err == (
        "error: invalid settings: DATABASE_URL must be set when APP_ENV=production; "
        "REDIS_URL must be set when APP_ENV=production; "
        "JWT_SECRET must be set when APP_ENV=production\n"
    )
