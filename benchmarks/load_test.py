"""Load: simulated officers and auditors (benchmarks/load/locustfile.py) against `visor serve`
with one worker per core on loopback, on the embedded default and on a real OpenSearch node,
at 10, 50 and 200 concurrent users.

    python -m benchmarks.load_test [--size 3000] [--users 10 50 200] [--steady 60]
                                   [--backends embedded opensearch] [--workers N] [--nice 10]

Builds the demo register once in --home (`visor demo --no-serve`) and reuses it. For each
backend it starts `visor serve --workers N` (with OpenSearch: a node from Maven Central as the
tests start one, `visor index rebuild`, and `visor index sync --follow` beside the server, as a
deployment runs it), then for each number of users runs locust headless: the users start over
a ramp (users / 4 per second, so that sign-ins, each an Argon2 hash, are not all at once) and
keep going --steady seconds. Printed per backend and load: throughput, p50/p95/p99 per kind of
request over the steady part, failures, 5xx (with requests not answered at all), the server's
CPU (its supervisor and workers, in cores), the sync follower's, and the whole machine's busy
share and load average (locust runs on the same machine). Every request of each level is
kept in --home as requests-BACKEND-WORKERS-USERS.jsonl. Nothing is mocked.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, astuple, dataclass
from pathlib import Path

from benchmarks.load.demo_plan import prepared_demo
from benchmarks.load.run import Row, run_locust, steady_window, summarise
from benchmarks.load.server import Served, cpu_seconds, visor_serve
from imaging.pool import default_workers
from tests.opensearch_server import running_opensearch

SIGN_INS_PER_SECOND = 4.0
MIN_RAMP_SECONDS = 10.0
SAMPLE_SECONDS = 0.5


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of every core since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return float(sum(fields) - idle), float(sum(fields))


@dataclass
class Sample:
    at: float
    server: float
    follower: float
    busy: float
    total: float


class Sampler:
    """CPU of the server's tree, of the sync follower, and of the machine, every half second,
    so that the figures cover exactly the steady window."""

    def __init__(self, server_pid: int, follower_pid: int | None) -> None:
        self.server_pid, self.follower_pid = server_pid, follower_pid
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            busy, total = _machine_busy()
            follower = cpu_seconds(self.follower_pid) if self.follower_pid else 0.0
            self.samples.append(
                Sample(time.time(), cpu_seconds(self.server_pid), follower, busy, total)
            )
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def over(self, since: float, until: float) -> tuple[float, float, float]:
        """Server cores, follower cores, machine busy share, between two moments."""
        inside = [s for s in self.samples if since <= s.at <= until]
        if len(inside) < 2:
            return float("nan"), float("nan"), float("nan")
        first, last = inside[0], inside[-1]
        wall = last.at - first.at
        return (
            (last.server - first.server) / wall,
            (last.follower - first.follower) / wall,
            (last.busy - first.busy) / (last.total - first.total),
        )


@dataclass
class Result:
    backend: str
    workers: int
    users: int
    rows: list[Row]
    server_cores: float
    follower_cores: float
    machine_busy: float
    load_average: float  # the machine's, over the last minute of the level


def _visor(environment: dict[str, str], *arguments: str) -> None:
    command = [sys.executable, "-m", "visor.cli", *arguments]
    subprocess.run(command, env={**os.environ, **environment}, check=True)


@contextmanager
def _backend(name: str, home: Path, heap: str, stack: ExitStack) -> Iterator[dict[str, str]]:
    """The environment `visor serve` runs with for this backend (and what it needs running)."""
    environment = {"VISOR_HOME": str(home)}
    if name == "embedded":
        yield environment
        return
    environment["VISOR_OPENSEARCH_URL"] = stack.enter_context(running_opensearch(heap=heap))
    _visor(environment, "index", "rebuild")
    yield environment


@contextmanager
def _follower(environment: dict[str, str], log: Path) -> Iterator[int | None]:
    if "VISOR_OPENSEARCH_URL" not in environment:
        yield None
        return
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "visor.cli", "index", "sync", "--follow"],
            env={**os.environ, **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(args: argparse.Namespace) -> list[Result]:
    # The backend is this run's choice, not whatever the calling shell names.
    os.environ.pop("VISOR_OPENSEARCH_URL", None)
    home = args.home.expanduser().resolve()
    plan = prepared_demo(home, args.size)
    results: list[Result] = []
    for backend in args.backends:
        with ExitStack() as stack:
            environment = stack.enter_context(_backend(backend, home, args.heap, stack))
            follower = stack.enter_context(_follower(environment, home / f"sync-{backend}.log"))
            for workers in args.workers:
                log = home / f"serve-{backend}-{workers}.log"
                with visor_serve(environment, workers, log, args.nice) as served:
                    for users in args.users:
                        level = _level(args, plan, backend, workers, users, served, follower)
                        results.append(level)
                        print(_table([level]), file=sys.stderr)
    return results


def _level(
    args: argparse.Namespace,
    plan: Path,
    backend: str,
    workers: int,
    users: int,
    served: Served,
    follower: int | None,
) -> Result:
    ramp = max(MIN_RAMP_SECONDS, users / SIGN_INS_PER_SECOND)
    print(f"{backend}, {workers} workers: {users} users ({ramp:.0f} s ramp)...", file=sys.stderr)
    with Sampler(served.process.pid, follower) as sampler:
        requests = run_locust(served.url, plan, users, ramp, args.steady, args.nice)
    kept = plan.parent / f"requests-{backend}-{workers}-{users}.jsonl"
    kept.write_text("".join(json.dumps(astuple(r)) + "\n" for r in requests), encoding="utf-8")
    since, until = steady_window(requests, ramp)
    server, sync, busy = sampler.over(since, until)
    rows = summarise(requests, since, until)
    return Result(backend, workers, users, rows, server, sync, busy, os.getloadavg()[0])


def _table(results: list[Result]) -> str:
    lines = [
        "| backend | workers | users | request | count | req/s | p50 ms | p95 ms | p99 ms "
        "| failed | 5xx | no answer |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for row in result.rows:
            lines.append(
                f"| {result.backend} | {result.workers} | {result.users} | {row.name} "
                f"| {row.count} "
                f"| {row.per_second:.1f} | {row.p50:.0f} | {row.p95:.0f} | {row.p99:.0f} "
                f"| {row.failures} | {row.server_errors} | {row.unanswered} |"
            )
        lines.append(
            f"| {result.backend} | {result.workers} | {result.users} "
            f"| CPU: server {result.server_cores:.2f} cores, sync {result.follower_cores:.2f}, "
            f"machine {result.machine_busy:.0%} busy, load average {result.load_average:.0f} "
            "| | | | | | | | |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=3000, help="demo nominals (default 3000)")
    parser.add_argument(
        "--home", type=Path, default=Path("~/.cache/visor-load"), help="demo folder (reused)"
    )
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--steady", type=float, default=60.0, help="seconds after the ramp")
    backends = ["embedded", "opensearch"]
    parser.add_argument("--backends", nargs="+", choices=backends, default=backends)
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[default_workers()],
        help="server processes; several values serve each backend with each (e.g. 2 1)",
    )
    parser.add_argument("--heap", default="1g", help="the OpenSearch node's heap")
    parser.add_argument("--nice", type=int, default=0, help="run server and locust under nice")
    parser.add_argument("--json-out", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    results = run(args)
    print(_table(results))
    if args.json_out:
        args.json_out.write_text(json.dumps([asdict(r) for r in results], indent=1))


if __name__ == "__main__":
    main()
