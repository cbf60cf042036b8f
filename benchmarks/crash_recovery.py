"""Crash recovery: SIGKILL `visor import`, `visor serve` (during writes through the API) and
`visor index sync` at `--kills` seeded random points each, on SQLite and on PostgreSQL (a
durable server of its own) with a real OpenSearch node, and report the issue's counts: kills,
changes acknowledged, found after restart, lost (must be 0), half-written (must be 0), the
audit chain, and the drift the sync alone leaves (must be 0). The harness is
tests/reliability/crashing.py; CI runs a few points of it (tests/reliability/
test_crash_recovery.py).

    nice python -m benchmarks.crash_recovery [--kills 20] [--import-changes 4000]
        [--api-changes 1500] [--backends sqlite postgresql] [--seed 14] [--sync-batch 50]

The sync's workload is every change the other two made (its index is built while the register
is empty), so each backend's workload is import-changes + api-changes changes.
"""

import argparse
import dataclasses
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import TEST_SECRET_KEY
from tests.opensearch_server import running_opensearch
from tests.postgres_server import find_postgres_bin, postgres_server
from tests.reliability.crashing import (
    CrashCounts,
    Register,
    crash_api,
    crash_import,
    crash_sync,
    prepare_index,
)

COLUMNS = (
    "target",
    "backend",
    "changes",
    "kills",
    "acknowledged",
    "found",
    "lost",
    "in_doubt",
    "in_doubt_committed",
    "half_written",
    "chain_intact",
    "drift",
    "seconds",
)


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'register.db'}"
        return
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    with postgres_server(bin_dir, durable=True) as server:
        admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE visor"))
        admin.dispose()
        yield server.url.rsplit("/", 1)[0] + "/visor"


def run_backend(
    backend: str, opensearch_url: str, args: argparse.Namespace, folder: Path
) -> list[CrashCounts]:
    with database(backend, folder) as url:
        prefix = f"crash-{backend}-{uuid.uuid4().hex[:6]}"
        register = Register(folder / "home", url, opensearch_url, f"{prefix}-a")
        for_sync = dataclasses.replace(register, index_prefix=f"{prefix}-b")
        prepare_index(register)
        prepare_index(for_sync)
        imported = crash_import(
            register, args.import_changes, args.kills, args.seed, _work(folder, "import")
        )
        _report(imported)
        written = crash_api(register, args.api_changes, args.kills, args.seed, _work(folder, "api"))
        _report(written)
        synced = crash_sync(
            for_sync, args.kills, args.seed, _work(folder, "sync"), batch_size=args.sync_batch
        )
        _report(synced)
        return [imported, written, synced]


def _report(counts: CrashCounts) -> None:
    print(f"{counts.row()}", file=sys.stderr, flush=True)
    if counts.problems:
        print(f"  problems: {counts.problems}", file=sys.stderr, flush=True)


def _work(folder: Path, target: str) -> Path:
    work = folder / target
    work.mkdir()
    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--import-changes", type=int, default=4000)
    parser.add_argument("--api-changes", type=int, default=1500)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--sync-batch", type=int, default=50, help="visor index sync --batch-size")
    args = parser.parse_args()
    os.environ["VISOR_SECRET_KEY"] = TEST_SECRET_KEY  # the in-process checks read it
    started = time.monotonic()
    results: list[CrashCounts] = []
    with running_opensearch() as opensearch_url:
        for backend in args.backends:
            with tempfile.TemporaryDirectory(prefix=f"visor-crash-{backend}-") as folder:
                results += run_backend(backend, opensearch_url, args, Path(folder))
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for counts in results:
        row = counts.row()
        print(
            "| "
            + " | ".join(
                f"{row[c]:.0f}" if isinstance(row[c], float) else str(row[c]) for c in COLUMNS
            )
            + " |"
        )
    print(f"\n{time.monotonic() - started:.0f} s in all", file=sys.stderr)


if __name__ == "__main__":
    main()
