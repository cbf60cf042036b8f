"""Running the real `visor` command in a subprocess, as a user or a script would."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_SECRET_KEY


def visor_env(home: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISOR_")}
    env["VISOR_HOME"] = str(home)
    env["VISOR_SECRET_KEY"] = TEST_SECRET_KEY
    # As in tests/conftest.py: the security tests unset it.
    env["VISOR_REQUIRE_PURPOSE"] = "false"
    if database_url:
        env["VISOR_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def visor(
    *args: str, env: dict[str, str], cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "visor.cli", *args],
        env=env,
        cwd=cwd,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=600,
    )
