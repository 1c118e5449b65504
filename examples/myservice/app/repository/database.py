"""Engine and session factory creation.

Connection liveness costs nothing on a busy connection: a pooled connection is pinged only when
it was idle for `IDLE_PING_SECONDS` (a server restart or an idle timeout most likely closed it
then), replaced after `POOL_RECYCLE_SECONDS`, and a connection that fails mid-request is
discarded with the pool's older connections (SQLAlchemy invalidates them on a disconnect) while
that request answers 503, so the next one reconnects.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, StaticPool

from app.core.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)

SessionFactory = sessionmaker[Session]

DATABASE_UNAVAILABLE = "The database is unavailable, try again shortly"

IDLE_PING_SECONDS = 10.0
"""A pooled connection idle for longer is pinged before use (and replaced if the ping fails)."""
POOL_RECYCLE_SECONDS = 1800
"""Connections older than this are replaced at checkout (before firewalls or proxies drop them)."""
_IDLE_SINCE = "idle_since"
_now: Callable[[], float] = time.monotonic


def create_db_engine(database_url: str, *, pool_size: int = 5, max_overflow: int = 5) -> Engine:
    """An engine whose errors never carry SQL parameters (password hashes, personal data) into
    logs, and whose lost or refused connections raise ServiceUnavailableError (503 / UNAVAILABLE).

    A process holds at most `pool_size + max_overflow` connections to a server database.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_recycle=POOL_RECYCLE_SECONDS,
            hide_parameters=True,
        )
        event.listen(engine, "checkin", _remember_idle_since)
        event.listen(engine, "checkout", _ping_after_idle)
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


def _remember_idle_since(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = _now()


def _ping_after_idle(
    dbapi_connection: DBAPIConnection,
    record: ConnectionPoolEntry,
    _proxy: PoolProxiedConnection,
) -> None:
    """Ping a connection that sat idle in the pool; DisconnectionError makes the pool replace it."""
    idle_since = record.info.pop(_IDLE_SINCE, None)
    if idle_since is None or _now() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:
        logger.info("Replacing a pooled database connection: %s", type(exc).__name__)
        raise DisconnectionError from exc


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


def watch_rows(
    session_factory: SessionFactory,
    entity: type[Any],
    changed: Callable[..., None],
) -> None:
    """Call `changed(row_id, committed=...)` for each existing row of `entity` that a session of
    `session_factory` updates or deletes through the ORM: once when the change is flushed
    (`committed=False`, before the commit; an exception fails the write) and once after the
    commit (`committed=True`). Bulk `update()`/`delete()` statements are not seen.
    """
    pending = object()

    def after_flush(session: Session, _context: object) -> None:
        ids = {
            row.id
            for row in (*session.dirty, *session.deleted)
            if isinstance(row, entity) and row.id is not None
        }
        for row_id in ids - session.info.get(pending, set()):
            changed(row_id, committed=False)
        session.info.setdefault(pending, set()).update(ids)

    def after_commit(session: Session) -> None:
        for row_id in session.info.pop(pending, ()):
            changed(row_id, committed=True)

    def after_rollback(session: Session, _previous: object) -> None:
        session.info.pop(pending, None)

    event.listen(session_factory, "after_flush", after_flush)
    event.listen(session_factory, "after_commit", after_commit)
    event.listen(session_factory, "after_soft_rollback", after_rollback)


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
