"""How long `visor backup` and `visor restore-backup` take, and how large a backup is, on
SQLite and on PostgreSQL (a durable server this run starts), for a synthetic register.

    python -m benchmarks.backup_restore [--size 20000] [--photo-fraction 0.02] [--no-postgres]

Each command runs as the real CLI in a subprocess; the register is built first with
`visor import` (not timed). Restore includes its checks: every file's SHA-256, then the
counts, every photo and the whole audit chain in the restored register. The baseline, run
in the same session, is the floor for the same data: a plain copy of the database (the
SQLite file, or `pg_dump --format=custom` alone) and of the photo store.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from register.postgres_tools import run_tool
from tests.conftest import TEST_SECRET_KEY
from tests.postgres_server import find_postgres_bin, postgres_server
from visor.synthetic import write_bundle


def visor(home: Path, database_url: str | None, *arguments: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISOR_")}
    env.update(VISOR_HOME=str(home), VISOR_SECRET_KEY=TEST_SECRET_KEY)
    if database_url:
        env["VISOR_DATABASE_URL"] = database_url
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "visor.cli", *arguments], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"visor {arguments[0]} failed: {completed.stderr}")
    return elapsed


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def plain_copy(home: Path, source: str | None, out: Path) -> float:
    """The floor: the database and the photo store copied, nothing checked."""
    started = time.perf_counter()
    out.mkdir()
    if source is None:
        shutil.copy(home / "visor.db", out / "visor.db")
    else:
        run_tool("pg_dump", source, ["--format=custom", f"--file={out / 'dump'}"])
    shutil.copytree(home / "photos", out / "photos")
    return time.perf_counter() - started


def measure(name: str, work: Path, bundle: Path, source: str | None, target: str | None) -> None:
    home, restored = work / f"{name}-home", work / f"{name}-restored"
    visor(home, source, "import", str(bundle), "--rejects", str(work / f"{name}-rejects.jsonl"))
    backup = work / f"{name}-backup"
    baseline = plain_copy(home, source, work / f"{name}-plain")
    took_backup = visor(home, source, "backup", str(backup))
    took_restore = visor(restored, target, "restore-backup", str(backup))
    size = folder_size(backup)
    print(
        f"| {name} | {took_backup:.1f} s ({took_backup / baseline:.1f}x) | {baseline:.1f} s | "
        f"{took_restore:.1f} s | {size / 1e6:.1f} MB "
        f"({len(list((backup / 'photos').rglob('*/*')))} photos) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--photo-fraction", type=float, default=0.02)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="visor-backup-bench-") as temp:
        work = Path(temp)
        bundle = write_bundle(
            work / "bundle", args.size, seed=5, photo_fraction=args.photo_fraction
        )
        print(f"{args.size} nominals, photo fraction {args.photo_fraction}")
        print(
            "| backend | backup (x plain copy) | plain copy | restore (verified) | size |\n"
            "|---|---|---|---|---|"
        )
        measure("sqlite", work, bundle, None, None)
        bin_dir = find_postgres_bin()
        if args.no_postgres or bin_dir is None:
            return
        with postgres_server(bin_dir, durable=True) as server:
            admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text("CREATE DATABASE source"))
                connection.execute(text("CREATE DATABASE target"))
            admin.dispose()
            base = server.url.rsplit("/", 1)[0]
            measure("postgresql", work, bundle, f"{base}/source", f"{base}/target")


if __name__ == "__main__":
    main()
