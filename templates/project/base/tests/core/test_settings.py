import logging

import pytest
from pydantic import ValidationError

from app.config.settings import Settings, get_settings

LONG_SECRET = "s" * 48


def make_settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_production_requires_a_jwt_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="JWT_SECRET must be set"):
        make_settings(app_env="production")


def test_production_rejects_a_short_jwt_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        make_settings(app_env="production", jwt_secret="short")


def test_development_falls_back_to_one_random_secret_per_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with caplog.at_level(logging.WARNING):
        first, second = make_settings(), make_settings()
    assert len(first.jwt_secret) >= 32
    assert first.jwt_secret == second.jwt_secret
    assert "JWT_SECRET is not set" in caplog.text


def test_development_warns_about_a_short_secret(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        settings = make_settings(jwt_secret="short")
    assert settings.jwt_secret == "short"
    assert "at least 32 characters" in caplog.text


def test_log_json_follows_the_environment_unless_set() -> None:
    assert make_settings(app_env="production", jwt_secret=LONG_SECRET).log_json is True
    assert make_settings(app_env="development", jwt_secret=LONG_SECRET).log_json is False
    explicit = make_settings(app_env="production", jwt_secret=LONG_SECRET, log_json=False)
    assert explicit.log_json is False


def test_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.db")
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("ACCESS_TOKEN_TTL_SECONDS", "60")
    settings = make_settings(jwt_secret=LONG_SECRET)
    assert settings.database_url == "sqlite:///from-env.db"
    assert settings.redis_url is None
    assert settings.access_token_ttl_seconds == 60
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert make_settings(jwt_secret=LONG_SECRET).redis_url == "redis://127.0.0.1:6379/3"


def test_get_settings_is_cached() -> None:
    assert get_settings() is get_settings()
