"""Typed settings read from the environment and `.env`."""

import logging
import secrets
from functools import lru_cache
from typing import Self

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

logger = logging.getLogger(__name__)

MIN_JWT_SECRET_LENGTH = 32

# Shared by every Settings instance of this process when JWT_SECRET is unset outside production.
_EPHEMERAL_JWT_SECRET = secrets.token_urlsafe(48)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    app_env: str = "development"
    database_url: str = "sqlite:///./app.db"
    redis_url: str | None = None
    jwt_secret: str = ""
    jwt_algorithm: str = "HS256"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 1_209_600
    cache_ttl_seconds: int = 300
    grpc_port: int = 50051
    log_json: bool = False
    log_level: str = "INFO"

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @model_validator(mode="after")
    def _apply_environment_defaults(self) -> Self:
        if "log_json" not in self.model_fields_set:
            self.log_json = self.is_production
        if not self.redis_url:
            self.redis_url = None
        if not self.jwt_secret:
            if self.is_production:
                raise ValueError("JWT_SECRET must be set when APP_ENV=production")
            logger.warning("JWT_SECRET is not set: using a random secret for this process only")
            self.jwt_secret = _EPHEMERAL_JWT_SECRET
        elif len(self.jwt_secret) < MIN_JWT_SECRET_LENGTH:
            message = f"JWT_SECRET should be at least {MIN_JWT_SECRET_LENGTH} characters long"
            if self.is_production:
                raise ValueError(message)
            logger.warning(message)
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
