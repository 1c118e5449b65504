"""Alembic environment: the URL comes from Settings, the schema from `app.model`."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

import app.model  # noqa: F401  (registers every table on Base.metadata)
from app.config.settings import get_settings_or_exit
from app.model.base import Base
from app.repository.database import create_db_engine

config = context.config
target_metadata = Base.metadata

# Callers that pass their own connection (tests) keep their logging configuration.
if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    # Invalid settings end `alembic` with one line on stderr instead of a traceback.
    return get_settings_or_exit().database_url.get_secret_value()


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        compare_type=True,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(database_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
