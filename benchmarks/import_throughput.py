"""Import throughput and peak memory of `visor import` on SQLite and PostgreSQL.

    python -m benchmarks.import_throughput [--size 100000] [--postgres-url URL]

Each import runs as the real CLI in a subprocess (peak RSS from wait4). The baseline, run in
the same session, is the floor for the same bytes: each line read, parsed as JSON and inserted
as one row of one table, on the same backend. Speed is reported as nominals/s and as the
ratio baseline/ours; memory at a tenth of the size and at full size shows whether it is flat.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, create_engine, text
from sqlalchemy.engine import make_url

from tests.postgres_server import find_postgres_bin, running_postgres
from visor.synthetic import write_bundle


def run_import(bundle: Path, home: Path, database_url: str) -> tuple[float, int, dict[str, int]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISOR_")}
    env.update(VISOR_HOME=str(home), VISOR_DATABASE_URL=database_url)
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "visor.cli",
            "import",
            str(bundle),
            "--json",
            "--rejects",
            str(home / "rejects.jsonl"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout = process.stdout.read() if process.stdout else b""
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import failed: {process.stderr.read() if process.stderr else ''!r}")
    return elapsed, usage.ru_maxrss, json.loads(stdout)


def run_baseline(bundle: Path, database_url: str) -> float:
    engine = create_engine(database_url)
    table = Table(
        "baseline",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("reference", String(64), unique=True),
        Column("document", JSON),
    )
    table.metadata.create_all(engine)
    started = time.perf_counter()
    with (bundle / "nominals.jsonl").open("rb") as lines:
        batch = []
        for line in lines:
            document = json.loads(line)
            batch.append({"reference": document["reference"], "document": document})
            if len(batch) == 500:
                with engine.begin() as connection:
                    connection.execute(table.insert(), batch)
                batch = []
        if batch:
            with engine.begin() as connection:
                connection.execute(table.insert(), batch)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


@contextmanager
def fresh_database(kind: str, admin_url: str | None, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
        return
    assert admin_url is not None
    name = f"visor_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def postgres(url: str | None) -> Iterator[str | None]:
    if url:
        yield url
        return
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        print("PostgreSQL not installed: PostgreSQL rows skipped", file=sys.stderr)
        yield None
        return
    # Unlike the test server, this one keeps fsync on: durable commits are what we measure.
    with running_postgres(bin_dir, durable=True) as started:
        yield started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--postgres-url", help="admin URL; default: start a throwaway server")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="visor-bench-") as temp,
        postgres(args.postgres_url) as pg_url,
    ):
        work = Path(temp)
        small_size = max(1, args.size // 10)
        full = write_bundle(work / "full", args.size, seed=42)
        small = write_bundle(work / "small", small_size, seed=42)
        print(
            f"bundle: {args.size} nominals, "
            f"{(full / 'nominals.jsonl').stat().st_size / 1e6:.0f} MB, no photos"
        )
        print(
            "| backend | nominals/s | baseline nominals/s | baseline/ours | "
            f"peak RSS at {small_size} | peak RSS at {args.size} |"
        )
        print("|---|---|---|---|---|---|")
        for kind in ("sqlite", "postgresql"):
            if kind == "postgresql" and pg_url is None:
                continue
            with fresh_database(kind, pg_url, work) as url:
                _, small_rss, _ = run_import(small, work / f"home-{kind}-small", url)
            with fresh_database(kind, pg_url, work) as url:
                elapsed, rss, summary = run_import(full, work / f"home-{kind}", url)
                assert summary["created"] == args.size, summary
            with fresh_database(kind, pg_url, work) as url:
                baseline = run_baseline(full, url)
            ours = args.size / elapsed
            floor = args.size / baseline
            print(
                f"| {kind} | {ours:,.0f} | {floor:,.0f} | {floor / ours:.2f} | "
                f"{small_rss / 1024:.0f} MiB | {rss / 1024:.0f} MiB |"
            )


if __name__ == "__main__":
    main()
