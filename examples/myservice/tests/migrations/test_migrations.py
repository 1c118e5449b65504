import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from app.config.settings import Settings
from app.model import Base
from app.repository import schema
from app.repository.database import create_db_engine
from app.repository.schema import schema_is_current, wait_for_schema


def drop_schema(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def connection(database: Engine) -> Iterator[Connection]:
    """The test database emptied for Alembic; the model schema is restored afterwards."""
    drop_schema(database)
    with database.connect() as connection:
        yield connection
    drop_schema(database)
    Base.metadata.create_all(database)


def alembic_config(project_root: Path, connection: Connection) -> Config:
    config = Config(str(project_root / "alembic.ini"))
    config.attributes["connection"] = connection
    return config


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_migrations_round_trip_and_match_the_models(
    connection: Connection, project_root: Path
) -> None:
    config = alembic_config(project_root, connection)
    model_tables = set(Base.metadata.tables)

    command.upgrade(config, "head")
    connection.commit()
    assert table_names(connection) == model_tables | {"alembic_version"}

    command.downgrade(config, "base")
    connection.commit()
    assert table_names(connection) == {"alembic_version"}

    command.upgrade(config, "head")
    connection.commit()
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": connection.dialect.name == "sqlite"},
    )
    assert compare_metadata(context, Base.metadata) == []
    command.check(config)


@pytest.mark.usefixtures("restore_root_logger")
def test_the_schema_check_waits_for_the_latest_migration(
    connection: Connection,
    database: Engine,
    project_root: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(schema, "get_settings_or_exit", lambda: settings)
    config = alembic_config(project_root, connection)
    assert not schema_is_current(database)
    assert schema.main(["--wait", "0.2", "--interval", "0.05"]) == 1
    assert "not at the latest migration" in capsys.readouterr().out

    command.upgrade(config, "head")
    connection.commit()
    assert schema_is_current(database)
    assert schema.main([]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "schema is current"

    command.downgrade(config, "base")
    connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('f00dfeed')"))
    connection.commit()
    assert schema_is_current(database)  # a newer release already migrated it


def test_the_schema_check_retries_an_unreachable_database(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on port 1: every attempt fails at once.
    engine = create_db_engine("postgresql+psycopg://postgres@127.0.0.1:1/absent")
    with caplog.at_level(logging.WARNING, logger="app.repository.schema"):
        assert not wait_for_schema(engine, timeout=0.1, interval=0.05)
    engine.dispose()
    assert "Database not reachable yet: OperationalError" in caplog.text
