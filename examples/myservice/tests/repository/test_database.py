from pathlib import Path

from sqlalchemy import text

from app.repository.database import create_db_engine, create_session_factory, ping


def test_ping_reports_a_reachable_database(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'ok.db'}")
    assert ping(engine)
    engine.dispose()


def test_ping_reports_an_unreachable_database(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite'}")
    assert not ping(engine)
    engine.dispose()


def test_server_databases_get_a_pre_pinging_pool() -> None:
    # Nothing listens on port 1, so the ping fails fast.
    engine = create_db_engine("postgresql+psycopg://postgres@127.0.0.1:1/absent")
    assert engine.pool._pre_ping
    assert not ping(engine)
    engine.dispose()


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
