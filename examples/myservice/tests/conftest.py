"""Shared fixtures.

With TEST_DATABASE_URL / TEST_REDIS_URL set (CI) the suite runs against PostgreSQL and Redis;
otherwise against a temporary SQLite file, the in-process cache and eager Celery. The tests empty
that database and Redis database, so they never read the application's DATABASE_URL / REDIS_URL
or `.env`: every setting they use is explicit.
"""

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from argon2.profiles import CHEAPEST
from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from sqlalchemy import Engine

from app.config.settings import DeploymentMode, Settings
from app.core.security import PasswordHasher
from app.model import Base
from app.repository.database import create_db_engine
from app.tasks.celery_app import celery_app, configure_celery
from app.wiring import Container, build_container, set_container

# The web stack's REST test client (fixtures `client`, `auth_headers`, ...): one module per stack.
pytest_plugins = ["tests.rest_client"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
TEST_JWT_SECRET = "test-only-jwt-secret-0123456789abcdefghijklmnop"
TEST_PASSWORD = "correct-horse-battery"
FAST_PASSWORD_HASHER = PasswordHasher(CHEAPEST)
"""argon2id at its cheapest: logins in tests take microseconds instead of a second."""
UNLIMITED_ATTEMPTS = {
    "login_failures_per_account": 1_000_000,
    "login_failures_per_address": 1_000_000,
    "registrations_per_address": 1_000_000,
}
LOW_ATTEMPT_LIMITS = {
    "login_failures_per_account": 3,
    "login_failures_per_address": 5,
    "login_window_seconds": 600,
    "registrations_per_address": 3,
    "registration_window_seconds": 600,
}
"""The limits of the tests of the limits (`limited_settings`)."""

JsonDict = dict[str, Any]


class IsolatedSettings(Settings):
    """Settings from explicit values only: neither environment variables nor `.env` apply."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def isolated_settings(**values: Any) -> Settings:
    """Settings from `values` and the defaults only, without a metrics port.

    Processes started by tests serve no metrics port of their own: test runs side by side would
    compete for it (the metrics tests serve theirs on free ports).
    """
    quiet: dict[str, Any] = {
        "grpc_metrics_port": 0,
        "worker_metrics_port": 0,
    }
    return IsolatedSettings(**{**quiet, **values})


def process_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """Environment for an application process started by a test.

    Every setting is explicit (from `settings`, then `overrides`), so neither the developer's
    environment nor `.env` can change what the process connects to.
    """
    env = dict(os.environ)
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[name.upper()] = "" if value is None else str(value)
    env.update(overrides)
    return env


def limited_settings(settings: Settings) -> Settings:
    """`settings` with `LOW_ATTEMPT_LIMITS`; the gRPC server believes the client address that
    a layered REST process on this host forwards."""
    return settings.model_copy(
        update={**LOW_ATTEMPT_LIMITS, "grpc_trusted_forwarders": "127.0.0.1"}
    )


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    database_url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return isolated_settings(
        app_env="test",
        database_url=database_url,
        redis_url=TEST_REDIS_URL,
        jwt_secret=TEST_JWT_SECRET,
        # Every test client comes from one address and tests log in and register often: the
        # limits themselves are tested with low ones (tests/controller/test_auth_controller.py).
        **UNLIMITED_ATTEMPTS,
        log_json=False,
    )


@pytest.fixture(scope="session", autouse=True)
def celery_uses_test_settings(settings: Settings) -> None:
    """Tasks go to the test Redis, or run eagerly without one, never to the app's broker."""
    configure_celery(celery_app, settings)


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Engine]:
    """The test database with the current schema, for the whole session."""
    engine = create_db_engine(settings.database_url.get_secret_value())
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


def reset_database(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def container(settings: Settings, database: Engine) -> Iterator[Container]:
    """A freshly wired container over empty tables and an empty cache."""
    reset_database(database)
    if settings.redis_url:
        with redis.Redis.from_url(settings.redis_url.get_secret_value()) as client:
            client.flushdb()
    container = build_container(settings, password_hasher=FAST_PASSWORD_HASHER)
    set_container(container)
    yield container
    set_container(None)
    container.close()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    """Undo logging reconfiguration done by the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


DEPLOYMENT_MODES: tuple[DeploymentMode, ...] = ("monolith", "layered")
UNREACHABLE_DATABASE_URL = "postgresql+psycopg://nobody@127.0.0.1:1/none"
"""What a layered REST process is given in tests: it must never connect to a database."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `contract` run once per deployment mode: the REST answers must not differ."""
    if "deployment_mode" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "contract"
    ):
        metafunc.parametrize("deployment_mode", DEPLOYMENT_MODES)


@pytest.fixture
def deployment_mode() -> DeploymentMode:
    """How the REST app under test reaches the services (`contract` tests run in both modes)."""
    return "monolith"


@pytest.fixture
def serving_container(
    container: Container, settings: Settings, deployment_mode: DeploymentMode
) -> Iterator[Container]:
    """The container the REST app under test serves from.

    `monolith`: `container` itself. `layered`: a layered container whose services call a real
    gRPC server, started here over `container`, with a database URL that cannot connect.
    """
    if deployment_mode == "monolith":
        yield container
        return
    # Imported here: `tests/grpc/conftest.py` compiles the protos on a fresh checkout first.
    from app.grpc.server import create_server

    server, port = create_server(container, 0, host="127.0.0.1")
    server.start()
    layered_settings = isolated_settings(
        **{
            **settings.model_dump(),
            "deployment_mode": "layered",
            "grpc_service_urls": f"127.0.0.1:{port}",
            "database_url": UNREACHABLE_DATABASE_URL,
        }
    )
    layered = build_container(layered_settings)
    try:
        yield layered
    finally:
        layered.close()
        server.stop(None).wait()


# arcana:fixtures
