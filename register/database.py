"""Engine creation and schema migration for SQLite and PostgreSQL."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from foundation.errors import BackendUnavailable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# Marks the connection of a transaction begun with `engine.begin()`: the register's one way
# to write (reads use `engine.connect()` or `snapshot`).
_WRITING = "visor_writing"
# How long a writer waits for SQLite's one write lock (in its busy handler, and before that
# for the other writing threads of its process).
BUSY_TIMEOUT_SECONDS = 30


def _begin_sqlite(connection: Connection) -> None:
    # A transaction begun to write takes SQLite's write lock at once (BEGIN IMMEDIATE, which
    # waits busy_timeout for another writer). Begun deferred, its first read would fix a
    # snapshot, and if another writer committed before its first write SQLite could not
    # upgrade it: "database is locked" (SQLITE_BUSY_SNAPSHOT) at once, whatever the busy
    # timeout. Reads stay deferred, so they never wait for a writer.
    writing = connection.get_execution_options().get(_WRITING, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


@contextmanager
def _begin_writing(engine: Engine, writers: threading.RLock) -> Iterator[Connection]:
    """`Engine.begin()` for SQLite: the same, with the connection marked as writing, and one
    writing thread of this process at a time.

    SQLite's busy handler is not a queue: a waiting writer sleeps and tries again, and
    whoever tries the moment the lock is free gets it, so under load one waiter could lose
    every time for the whole busy timeout and fail with "database is locked" (a 500 at
    sign-in, search, view and edit in the load test: dozens of threads of each server
    process waiting). Threads of one process now queue on this lock first, so that at most
    one per process waits in SQLite's handler; the wait here is bounded by the same busy
    timeout, and passing it is `BackendUnavailable` (503), never a bare database error.
    """
    if not writers.acquire(timeout=BUSY_TIMEOUT_SECONDS):
        raise BackendUnavailable(
            f"the register is busy: no write lock within {BUSY_TIMEOUT_SECONDS} s"
        )
    try:
        with engine.connect() as connection:
            connection.execution_options(**{_WRITING: True})
            with connection.begin():
                yield connection
    finally:
        writers.release()


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
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
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
        # Every write in the register goes through engine.begin(); this one instance's
        # begin() marks its transactions as writes, so that _begin_sqlite locks first.
        # Re-entrant: a thread already writing that begins again waits in SQLite, as before.
        writers = threading.RLock()
        engine.begin = partial(_begin_writing, engine, writers)  # type: ignore[method-assign]
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
