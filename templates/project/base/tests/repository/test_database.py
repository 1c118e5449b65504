from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import String, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import QueuePool

from app.model.base import TimestampMixin
from app.repository import database
from app.repository.database import create_db_engine, create_session_factory, ping, watch_rows


class _Base(DeclarativeBase):
    pass


class Gadget(TimestampMixin, _Base):
    __tablename__ = "gadgets"

    label: Mapped[str] = mapped_column(String(20))


class _Record:
    def __init__(self) -> None:
        self.info: dict[str, Any] = {}


class _Connection:
    """A DB-API connection that counts the statements it runs, or fails them."""

    def __init__(self, *, broken: bool = False) -> None:
        self.statements = 0
        self.broken = broken

    def cursor(self) -> "_Connection":
        return self

    def execute(self, _statement: str) -> None:
        if self.broken:
            raise OSError("server closed the connection")
        self.statements += 1

    def close(self) -> None:
        return None

    def rollback(self) -> None:
        return None


def test_ping_reports_a_reachable_database(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'ok.db'}")
    assert ping(engine)
    engine.dispose()


def test_ping_reports_an_unreachable_database(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite'}")
    assert not ping(engine)
    engine.dispose()


def test_server_databases_ping_no_busy_connection() -> None:
    # Nothing listens on port 1, so the ping fails fast.
    engine = create_db_engine("postgresql+psycopg://postgres@127.0.0.1:1/absent", pool_size=3)
    assert not engine.pool._pre_ping
    assert engine.pool._recycle == database.POOL_RECYCLE_SECONDS
    assert cast(QueuePool, engine.pool).size() == 3
    assert not ping(engine)
    engine.dispose()


def test_only_a_connection_idle_for_long_is_pinged(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(database, "_now", lambda: now[0])
    record, connection = _Record(), _Connection()

    database._ping_after_idle(connection, record, None)  # type: ignore[arg-type]
    database._remember_idle_since(connection, record)  # type: ignore[arg-type]
    now[0] += database.IDLE_PING_SECONDS / 2
    database._ping_after_idle(connection, record, None)  # type: ignore[arg-type]
    assert connection.statements == 0
    database._remember_idle_since(connection, record)  # type: ignore[arg-type]
    now[0] += database.IDLE_PING_SECONDS + 1
    database._ping_after_idle(connection, record, None)  # type: ignore[arg-type]
    assert connection.statements == 1


def test_an_idle_connection_that_fails_its_ping_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(database, "_now", lambda: now[0])
    record, connection = _Record(), _Connection(broken=True)
    database._remember_idle_since(connection, record)  # type: ignore[arg-type]
    now[0] += database.IDLE_PING_SECONDS + 1

    with pytest.raises(DisconnectionError):
        database._ping_after_idle(connection, record, None)  # type: ignore[arg-type]


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


def test_in_memory_sqlite_is_shared_by_every_session() -> None:
    engine = create_db_engine("sqlite://")
    sessions = create_session_factory(engine)
    with sessions.begin() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    with sessions() as session:
        assert session.execute(text("SELECT x FROM t")).scalar_one() == 1
    engine.dispose()


def test_watched_rows_are_reported_before_and_after_their_commit() -> None:
    engine = create_db_engine("sqlite://")
    _Base.metadata.create_all(engine)
    sessions = create_session_factory(engine)
    seen: list[tuple[int, bool]] = []
    watch_rows(sessions, Gadget, lambda row_id, *, committed: seen.append((row_id, committed)))
    with sessions.begin() as session:
        first, second = Gadget(label="a"), Gadget(label="b")
        session.add_all([first, second])
    assert seen == []  # new rows: nothing cached can be about them

    with sessions.begin() as session:
        changed = session.get(Gadget, first.id)
        assert changed is not None
        changed.label = "c"
        session.flush()
        changed.label = "d"  # flushed twice, reported once before the commit
    assert seen == [(first.id, False), (first.id, True)]

    seen.clear()
    with sessions() as session:
        gone = session.get(Gadget, second.id)
        session.delete(gone)
        session.flush()
        session.rollback()
        session.commit()
    assert seen == [(second.id, False)]  # rolled back: nothing to report after

    def refuse(_row_id: int, *, committed: bool) -> None:
        raise OSError("the cache cannot confirm")

    watch_rows(sessions, Gadget, refuse)
    with sessions() as session:
        row = session.get(Gadget, second.id)
        assert row is not None
        row.label = "e"
        with pytest.raises(OSError, match="cannot confirm"):
            session.commit()
    with sessions() as session:
        kept = session.get(Gadget, second.id)
        assert kept is not None
        assert kept.label == "b"  # the write was refused
    engine.dispose()
