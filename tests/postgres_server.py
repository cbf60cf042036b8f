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
from pathlib import Path

from register.postgres_tools import find_postgres_bin

__all__ = ["find_postgres_bin", "running_postgres"]


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


@contextmanager
def running_postgres(bin_dir: Path, durable: bool = False) -> Iterator[str]:
    """Yield an admin SQLAlchemy URL to a fresh server; stop and delete it afterwards.

    Tests run with fsync off (a throwaway server need not survive a power cut); benchmarks
    ask for `durable` so that commits cost what they cost in production."""
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
    pg_ctl = str(bin_dir / "pg_ctl")
    subprocess.run(
        _as_server_user(
            [pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-o", options, "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
