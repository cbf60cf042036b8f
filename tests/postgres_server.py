"""A throwaway PostgreSQL server for the test session, from the Debian package's binaries.

Started in a temporary folder on a free loopback port and stopped at the end, so the README's
test command needs nothing running beforehand; only the `postgresql` package installed.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from register.postgres_tools import find_postgres_bin

__all__ = ["PostgresServer", "find_postgres_bin", "postgres_server", "running_postgres"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, so drop to the package's user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass(frozen=True)
class PostgresServer:
    """A server this test session made: its URL, and stop and start for fault tests."""

    bin_dir: Path
    root: Path
    port: int
    options: str

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *arguments: str, check: bool = True) -> None:
        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), *arguments]
        subprocess.run(_as_server_user(command), check=check, capture_output=True)

    def start(self) -> None:
        self._pg_ctl("-l", str(self.root / "log"), "-w", "-o", self.options, "start")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; "immediate" is as abrupt as a crash (no checkpoint)."""
        self._pg_ctl("-m", mode, "-w", "stop", check=False)


@contextmanager
def postgres_server(bin_dir: Path, durable: bool = False) -> Iterator[PostgresServer]:
    """A fresh server, started; stopped and deleted afterwards.

    Tests run with fsync off (a throwaway server need not survive a power cut); benchmarks
    and durability tests ask for `durable` so that commits cost what they cost in
    production."""
    root = Path(tempfile.mkdtemp(prefix="visor-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    if not durable:
        options += " -c fsync=off"
    server = PostgresServer(bin_dir, root, port, options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def running_postgres(bin_dir: Path, durable: bool = False) -> Iterator[str]:
    """Yield an admin SQLAlchemy URL to a fresh server; stop and delete it afterwards."""
    with postgres_server(bin_dir, durable) as server:
        yield server.url
