from pathlib import Path

from sqlalchemy import text

from register.database import open_register


def test_sqlite_register_is_durable_and_concurrent(tmp_path: Path) -> None:
    engine = open_register(f"sqlite:///{tmp_path / 'nested' / 'register.db'}")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA synchronous")) == 2  # FULL
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
    engine.dispose()
