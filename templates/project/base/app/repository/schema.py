"""Whether the database schema is at the Alembic head this code expects.

``python -m app.repository.schema --wait SECONDS`` exits 0 once it is (or once the database is
at a revision this code does not know, that is newer), 1 when the time is up. The Kubernetes
Deployments run it as an init container, so that pods start only after the migration Job ran.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.config.settings import get_settings_or_exit
from app.core.errors import ServiceUnavailableError
from app.core.logging import configure_logging
from app.repository.database import create_db_engine

logger = logging.getLogger(__name__)

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def schema_is_current(engine: Engine, alembic_ini: Path = ALEMBIC_INI) -> bool:
    """True when the database is at this code's head revision(s), or at a newer one."""
    script = ScriptDirectory.from_config(Config(str(alembic_ini)))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    if current - known:
        return True  # migrated by a newer release of this service
    return current == set(script.get_heads())


def wait_for_schema(engine: Engine, timeout: float, interval: float = 2.0) -> bool:
    """Poll `schema_is_current` until it holds (True) or `timeout` seconds passed (False)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if schema_is_current(engine):
                return True
        except (SQLAlchemyError, ServiceUnavailableError) as exc:
            # ServiceUnavailableError: the engine's name for a refused connection; name its cause.
            logger.warning("Database not reachable yet: %s", type(exc.__cause__ or exc).__name__)
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.repository.schema", description=__doc__)
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help="default: 0")
    parser.add_argument("--interval", type=float, default=2.0, metavar="SECONDS")
    args = parser.parse_args(argv)
    settings = get_settings_or_exit()
    configure_logging(settings)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per check is plenty
    engine = create_db_engine(settings.database_url.get_secret_value())
    try:
        current = wait_for_schema(engine, args.wait, args.interval)
    finally:
        engine.dispose()
    print("schema is current" if current else "schema is not at the latest migration")
    return 0 if current else 1


if __name__ == "__main__":
    sys.exit(main())
