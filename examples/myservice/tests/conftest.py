"""Shared fixtures.

With DATABASE_URL / REDIS_URL set (CI) the suite runs against PostgreSQL and Redis; otherwise
against a temporary SQLite file, the in-process cache and eager Celery.
"""

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from app.config.settings import Settings
from app.factory import create_app
from app.model import Base
from app.repository.database import create_db_engine
from app.wiring import Container, build_container, set_container

TEST_JWT_SECRET = "test-only-jwt-secret-0123456789abcdefghijklmnop"
TEST_PASSWORD = "correct-horse-battery"

JsonDict = dict[str, Any]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    database_url = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )
    return Settings(
        _env_file=None,
        app_env="test",
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        jwt_secret=TEST_JWT_SECRET,
        log_json=False,
    )


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Engine]:
    """The test database with the current schema, for the whole session."""
    engine = create_db_engine(settings.database_url)
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
        with redis.Redis.from_url(settings.redis_url) as client:
            client.flushdb()
    container = build_container(settings)
    set_container(container)
    yield container
    set_container(None)
    container.close()


@pytest.fixture
def app(container: Container) -> Flask:
    return create_app(container)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def register_user(client: FlaskClient) -> Callable[..., JsonDict]:
    """Register through the API and return the created user's JSON."""

    def register(email: str = "ada@example.com", full_name: str = "Ada Lovelace") -> JsonDict:
        response = client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": TEST_PASSWORD, "full_name": full_name},
        )
        assert response.status_code == 201, response.get_json()
        body: JsonDict = response.get_json()
        return body

    return register


@pytest.fixture
def login(client: FlaskClient) -> Callable[[str], JsonDict]:
    """Log in through the API and return the token pair JSON."""

    def do_login(email: str) -> JsonDict:
        response = client.post(
            "/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.get_json()
        body: JsonDict = response.get_json()
        return body

    return do_login


@pytest.fixture
def auth_headers(
    register_user: Callable[..., JsonDict], login: Callable[[str], JsonDict]
) -> dict[str, str]:
    """Authorization headers of a freshly registered user."""
    user = register_user()
    return {"Authorization": f"Bearer {login(user['email'])['access_token']}"}


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


# arcana:fixtures
