"""Typed settings read from the environment and `.env`.

Secrets (`JWT_SECRET`, and the database and Redis URLs, which carry passwords) are `SecretStr`:
they never appear in a repr, a log line or a validation error. Read them with
`.get_secret_value()` where a client library needs the plain value.
"""

import logging
import math
import sys
from functools import lru_cache
from secrets import token_urlsafe
from typing import Any, Literal, Self

from pydantic import (
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

logger = logging.getLogger(__name__)

AppEnv = Literal["development", "test", "production"]
DeploymentMode = Literal["monolith", "layered"]
"""`monolith`: this process runs the services; `layered`: REST calls them in the gRPC process."""
JwtAlgorithm = Literal["HS256", "HS384", "HS512"]

DEFAULT_DATABASE_URL = "sqlite:///./app.db"
MIN_JWT_SECRET_LENGTH = 32
MIN_JWT_SECRET_BITS = 128
"""Length x log2(distinct characters): 32 hex digits reach it, 32 copies of one letter do not."""
PLACEHOLDER_SECRETS = frozenset({"REPLACE-WITH-AT-LEAST-32-RANDOM-CHARACTERS"})
"""Placeholders shipped in this project's examples (k8s/secret.example.yaml)."""

# Shared by every Settings instance of this process when JWT_SECRET is unset outside production.
_EPHEMERAL_JWT_SECRET = token_urlsafe(48)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # Validation errors name the field and the rule, never the (possibly secret) value.
        hide_input_in_errors=True,
    )

    app_env: AppEnv = "development"
    database_url: SecretStr = SecretStr("")
    redis_url: SecretStr | None = None
    jwt_secret: SecretStr = SecretStr("")
    jwt_algorithm: JwtAlgorithm = "HS256"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 1_209_600
    login_failures_per_account: PositiveInt = 10
    """Failed logins per account (email) in `LOGIN_WINDOW_SECONDS` before logins answer 429."""
    login_failures_per_address: PositiveInt = 100
    """Failed logins per client address in `LOGIN_WINDOW_SECONDS` before logins answer 429."""
    login_window_seconds: PositiveInt = 900
    registrations_per_address: PositiveInt = 20
    """Registrations per client address in `REGISTRATION_WINDOW_SECONDS` before 429."""
    registration_window_seconds: PositiveInt = 3600
    trusted_proxy_hops: NonNegativeInt = 0
    """Proxies in front of the REST server that append the client to `X-Forwarded-For`; 0: the
    header is ignored and the address of the connection is the client's."""
    grpc_trusted_forwarders: str = ""
    """Comma-separated addresses or networks (`10.0.0.0/8`) of the layered REST processes: the
    client address they forward is believed; from any other peer, the peer is the client."""
    cache_ttl_seconds: int = 300
    cache_key_prefix: str = "myservice:cache:"
    """Starts every cache key: the cache never meets the broker's (or another service's) keys."""
    redis_socket_timeout_seconds: float = 0.25
    """The longest a cache command waits for Redis (never retried): a frozen Redis costs this."""
    grpc_port: int = 50051
    grpc_metrics_port: int = 9101
    """Port of the gRPC server's Prometheus `/metrics` (0: not served)."""
    deployment_mode: DeploymentMode = "monolith"
    grpc_service_urls: str = ""
    """Comma-separated `host:port` of the gRPC processes a layered REST process calls."""
    grpc_client_timeout_seconds: float = 2.0
    """Deadline of one call from a layered REST process, retries included."""
    worker_metrics_port: int = 9102
    """Port of the Celery worker's Prometheus `/metrics` (0: not served)."""
    outbox_relay_interval_seconds: PositiveFloat = 5.0
    """How often the worker publishes the tasks stored while the broker was down."""
    otel_exporter_otlp_endpoint: str = ""
    """OTLP/HTTP collector (`http://collector:4318`); unset, nothing is traced or instrumented."""
    otel_service_name: str = "myservice"
    log_json: bool = False
    log_level: str = "INFO"

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def is_layered(self) -> bool:
        """True when this REST process reaches the services over gRPC (no database of its own)."""
        return self.deployment_mode == "layered"

    @property
    def grpc_targets(self) -> tuple[str, ...]:
        """The `host:port` entries of `GRPC_SERVICE_URLS`, blanks dropped."""
        return tuple(url.strip() for url in self.grpc_service_urls.split(",") if url.strip())

    @field_validator("app_env", "deployment_mode", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("jwt_algorithm", mode="before")
    @classmethod
    def _upper_case(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _apply_environment_defaults(self) -> Self:
        if "log_json" not in self.model_fields_set:
            self.log_json = self.is_production
        if self.redis_url is not None and not self.redis_url.get_secret_value():
            self.redis_url = None
        problems: list[str] = []
        # A layered REST process holds no database or Redis credentials: it calls the gRPC
        # processes instead.
        needs_backends = self.is_production and not self.is_layered
        if self.is_layered and not self.grpc_targets:
            problems.append("GRPC_SERVICE_URLS must be set when DEPLOYMENT_MODE=layered")
        if not self.database_url.get_secret_value():
            if needs_backends:
                problems.append("DATABASE_URL must be set when APP_ENV=production")
            self.database_url = SecretStr(DEFAULT_DATABASE_URL)
        if self.redis_url is None and needs_backends:
            problems.append("REDIS_URL must be set when APP_ENV=production")
        secret = self.jwt_secret.get_secret_value()
        if not secret:
            if self.is_production:
                problems.append("JWT_SECRET must be set when APP_ENV=production")
            else:
                logger.warning("JWT_SECRET is not set: using a random secret for this process only")
                self.jwt_secret = SecretStr(_EPHEMERAL_JWT_SECRET)
        elif (message := jwt_secret_weakness(secret)) is not None:
            if self.is_production:
                problems.append(message)
            else:
                logger.warning(message)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def jwt_secret_weakness(secret: str) -> str | None:
    """Why `secret` is too weak to sign tokens with, or None when it is acceptable."""
    if secret.strip() in PLACEHOLDER_SECRETS:
        return "JWT_SECRET is the example placeholder; generate a random secret"
    if len(secret) < MIN_JWT_SECRET_LENGTH:
        return f"JWT_SECRET should be at least {MIN_JWT_SECRET_LENGTH} characters long"
    distinct = len(set(secret))
    bits = len(secret) * math.log2(distinct) if distinct > 1 else 0.0
    if not secret.strip() or bits < MIN_JWT_SECRET_BITS:
        return "JWT_SECRET is too predictable (too few distinct characters); use a random one"
    return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def describe_settings_error(error: ValidationError) -> str:
    """One line naming every invalid setting by its environment variable, without values."""
    problems = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        message = item["msg"].removeprefix("Value error, ")
        name = "_".join(str(part) for part in item["loc"]).upper()
        problems.append(f"{name}: {message}" if name else message)
    return "; ".join(problems)


def get_settings_or_exit() -> Settings:
    """`get_settings()` for process entry points: invalid settings end the process with one line.

    The line goes to stderr and the exit status is 1; there is no traceback to scroll through.
    """
    try:
        return get_settings()
    except ValidationError as exc:
        print(f"error: invalid settings: {describe_settings_error(exc)}", file=sys.stderr)
        raise SystemExit(1) from None
