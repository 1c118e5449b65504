from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from app.model import Base


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
