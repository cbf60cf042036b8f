"""PostgreSQL's own client programs (pg_dump, pg_restore, psql), found and run for the
register's URL: a backup is made by the tools made for it, not by reading tables."""

import glob
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from foundation.errors import BackendUnavailable


def _version_key(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def find_postgres_bin(program: str = "initdb") -> Path | None:
    """The folder of the newest installed PostgreSQL's programs (Debian keeps them under
    /usr/lib/postgresql/<major>/bin, off the PATH), else the one on the PATH holding
    `program`. The newest, because pg_dump refuses a server newer than itself."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), key=_version_key)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which(program)
    return Path(found).parent if found else None


def tool(program: str) -> str:
    folder = find_postgres_bin(program)
    if folder is None:
        raise BackendUnavailable(
            f"{program} is not installed: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client)"
        )
    return str(folder / program)


def connection_arguments(url: str | URL) -> tuple[list[str], dict[str, str]]:
    """libpq options and environment for a SQLAlchemy URL; the password goes in the
    environment, never on a command line other users can read."""
    parsed = make_url(url)
    arguments: list[str] = []
    if parsed.host:
        arguments += ["--host", parsed.host]
    if parsed.port:
        arguments += ["--port", str(parsed.port)]
    if parsed.username:
        arguments += ["--username", parsed.username]
    environment = {"PGDATABASE": parsed.database or "postgres", "PGCONNECT_TIMEOUT": "10"}
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    return arguments, environment


def run_tool(
    program: str,
    url: str | URL,
    arguments: Sequence[str],
    stdin: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a PostgreSQL client program against the database at `url`; raise
    BackendUnavailable with its own message when it fails."""
    options, environment = connection_arguments(url)
    completed = subprocess.run(
        [tool(program), *options, *arguments],
        env={**os.environ, **environment},
        stdin=stdin,
        capture_output=True,
        check=False,
    )
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise BackendUnavailable(f"{program} failed (exit {completed.returncode}): {message}")
    return completed
