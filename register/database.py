"""Engine creation and schema migration for SQLite and PostgreSQL."""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from visor.errors import BackendUnavailable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; synchronous=FULL makes a commit durable on
    # power loss, which a system of record needs more than the last few percent of speed.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_register_engine(url: str) -> Engine:
    """An engine for the register at `url`; a SQLite file's folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the register's schema to the newest migration (a no-op when it is current)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as error:
        raise BackendUnavailable(f"cannot reach the register database: {error.orig}") from error


def open_register(url: str) -> Engine:
    """An engine on a migrated register."""
    engine = create_register_engine(url)
    migrate(engine)
    return engine
