"""Engine creation and schema migration for SQLite and PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from foundation.errors import BackendUnavailable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# An execution option: this transaction will write after it reads (see `writing`).
WRITES = "visor_writes"


def _begin_sqlite(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite begins transactions only before writes, so a series of reads would each see a
    # different state; hand transaction control to SQLAlchemy, which begins on first use.
    dbapi_connection.isolation_level = None
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
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one consistent state of the register."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        # SQLite in WAL mode: one transaction, begun at the first read, is a snapshot.
        with connection.begin():
            yield connection


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads and then writes (a view and its audit entry, a session
    checked and touched). On SQLite it takes the write lock when it begins, waiting
    busy_timeout for another writer: a transaction that has read and then finds another
    writer committed since is refused at once ("database is locked"), whatever the timeout,
    so two requests at the same moment would fail one of them. On PostgreSQL, a plain
    transaction (its row locks do this job)."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITES: True})
        with connection.begin():
            yield connection


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn the database's own connection failures into `BackendUnavailable`."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise BackendUnavailable(f"cannot reach the register database: {error.orig}") from error


def migrate(engine: Engine) -> None:
    """Bring the register's schema to the newest migration (a no-op when it is current)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with translated_errors(), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_register(url: str) -> Engine:
    """An engine on a migrated register."""
    engine = create_register_engine(url)
    migrate(engine)
    return engine
