"""Engine and session factory creation."""

import logging

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app.core.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)

SessionFactory = sessionmaker[Session]

DATABASE_UNAVAILABLE = "The database is unavailable, try again shortly"


def create_db_engine(database_url: str) -> Engine:
    """An engine whose errors never carry SQL parameters (password hashes, personal data) into
    logs, and whose lost or refused connections raise ServiceUnavailableError (503 / UNAVAILABLE).
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    else:
        in_memory = url.database in (None, "", ":memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool if in_memory else None,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    event.listen(engine, "handle_error", _unavailable_when_disconnected)
    return engine


def _unavailable_when_disconnected(context: ExceptionContext) -> None:
    """Connection failures become ServiceUnavailableError; other errors pass unchanged."""
    if context.is_pre_ping:
        return  # the pool handles it by reconnecting
    if context.is_disconnect or isinstance(context.sqlalchemy_exception, OperationalError):
        logger.warning("Database unavailable: %s", type(context.original_exception).__name__)
        raise ServiceUnavailableError(DATABASE_UNAVAILABLE) from context.original_exception


def _enable_sqlite_foreign_keys(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_session_factory(engine: Engine) -> SessionFactory:
    # Repositories return entities after their session closed, so keep attributes loaded.
    return sessionmaker(engine, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, ServiceUnavailableError) as exc:
        logger.warning("Database ping failed: %s", type(exc).__name__)
        return False
    return True
