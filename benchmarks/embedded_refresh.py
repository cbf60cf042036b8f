"""CPU per edit of keeping the embedded index current: `RegisterIndex.refresh()`, which puts the
edited records into the backend in place, against the full rebuild from a snapshot that every
refresh did before (and still does past a large gap), measured on the same register in one run.

    python -m benchmarks.embedded_refresh [--sizes 3000 30000] [--edits 20] [--seed 5]

Per size: a SQLite register of synthetic nominals (visor.synthetic, written as an import
writes them), an index built on it, then --edits rounds of one edit each (a nominal's record
replaced by another generated one, as an officer's edit changes several fields; every fifth
edit archives or restores a nominal instead). Each round measures the CPU seconds of this
process for refresh() after the edit, then for a full rebuild of the index from a snapshot
(the baseline), and checks that the two backends give the same statistics. Printed: medians of
CPU milliseconds per edit and their ratio.
"""

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from register import store
from register.database import open_register
from register.model import Status, from_document
from register.store import Incoming, write_records
from search.register_index import RegisterIndex
from visor.synthetic import NominalGenerator

WRITE_BATCH = 500
T = TypeVar("T")


def _cpu(step: Callable[[], T]) -> tuple[float, T]:
    started = time.process_time()
    result = step()
    return time.process_time() - started, result


def measure(size: int, edits: int, seed: int, folder: Path) -> tuple[float, float]:
    engine = open_register(f"sqlite:///{folder / f'register-{size}.db'}")
    generated = list(NominalGenerator(seed).nominals(size))
    with engine.begin() as connection:
        for start in range(0, size, WRITE_BATCH):
            batch = generated[start : start + WRITE_BATCH]
            write_records(connection, [Incoming(from_document(r)) for r in batch], "benchmark")
    index = RegisterIndex(engine)
    rng = random.Random(seed)
    refreshes, rebuilds = [], []
    for edit in range(edits):
        target: dict[str, Any] = rng.choice(generated)
        with engine.begin() as connection:
            if edit % 5 == 4:
                status = store.get_record(connection, target["reference"]).status
                other: Status = "archived" if status == "live" else "live"
                store.set_status(connection, target["reference"], other, "benchmark", "edit")
            else:
                record = {**rng.choice(generated), "reference": target["reference"]}
                record["status"] = store.get_record(connection, target["reference"]).status
                write_records(connection, [Incoming(from_document(record))], "benchmark")
        refreshes.append(_cpu(index.refresh)[0])
        seconds, rebuilt = _cpu(lambda: RegisterIndex(engine))
        rebuilds.append(seconds)
        ours, fresh = index.statistics, rebuilt.statistics
        if (ours.count, ours.shares, ours.surnames) != (fresh.count, fresh.shares, fresh.surnames):
            raise AssertionError("the refreshed index and the rebuilt one differ")
    engine.dispose()
    return statistics.median(refreshes) * 1000, statistics.median(rebuilds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 30_000])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    print("| nominals | refresh CPU ms/edit | full rebuild CPU ms/edit | rebuild / refresh |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            refresh, rebuild = measure(size, args.edits, args.seed, Path(folder))
            print(f"| {size:,} | {refresh:.1f} | {rebuild:.0f} | {rebuild / refresh:.0f} |")


if __name__ == "__main__":
    main()
