"""Load: simulated officers and auditors (benchmarks/load/locustfile.py) against `visor serve`
with one worker per core on loopback, on the embedded default and on a real OpenSearch node,
at 10, 50 and 200 concurrent users.

    python -m benchmarks.load_test [--size 3000] [--users 10 50 200] [--steady 60]
                                   [--backends embedded opensearch] [--workers N] [--nice 10]
                                   [--outage SECONDS]

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

With --outage, the OpenSearch backend's server and follower reach the node through a TCP
proxy that is cut a third of the way into each level's steady part for that many seconds
(benchmarks/load/outage.py): what users met before, during and after, how long searches
took to come back, and the drift `visor index reconcile --dry-run` finds once the follower
has caught up.
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
from benchmarks.load.outage import Outage, OutageReport, outage_report, outage_table
from benchmarks.load.run import Row, run_locust, steady_window, summarise
from benchmarks.load.server import Served, cpu_seconds, visor_serve
from imaging.pool import default_workers
from tests.opensearch_server import running_opensearch
from tests.tcp_proxy import CuttableProxy

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
    outage: OutageReport | None = None
    drift: int | None = None  # after an outage: what the reconciler finds, once caught up


def _visor(environment: dict[str, str], *arguments: str) -> None:
    command = [sys.executable, "-m", "visor.cli", *arguments]
    subprocess.run(command, env={**os.environ, **environment}, check=True)


@contextmanager
def _backend(
    name: str, home: Path, heap: str, stack: ExitStack, proxy: bool
) -> Iterator[tuple[dict[str, str], CuttableProxy | None]]:
    """The environment `visor serve` runs with for this backend (and what it needs running),
    and the proxy in front of the node when an outage is to be staged."""
    environment = {"VISOR_HOME": str(home)}
    if name == "embedded":
        yield environment, None
        return
    url = stack.enter_context(running_opensearch(heap=heap))
    environment["VISOR_OPENSEARCH_URL"] = url
    _visor(environment, "index", "rebuild")
    if not proxy:
        yield environment, None
        return
    port = int(url.rsplit(":", 1)[1])
    cuttable = stack.enter_context(CuttableProxy("127.0.0.1", port))
    yield {**environment, "VISOR_OPENSEARCH_URL": cuttable.url}, cuttable


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
            environment, proxy = stack.enter_context(
                _backend(backend, home, args.heap, stack, proxy=args.outage > 0)
            )
            follower = stack.enter_context(_follower(environment, home / f"sync-{backend}.log"))
            for workers in args.workers:
                log = home / f"serve-{backend}-{workers}.log"
                with visor_serve(environment, workers, log, args.nice) as served:
                    for users in args.users:
                        level = _level(args, plan, backend, workers, users, served, follower, proxy)
                        if proxy is not None:
                            level.drift = _drift_once_caught_up(environment)
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
    proxy: CuttableProxy | None,
) -> Result:
    ramp = max(MIN_RAMP_SECONDS, users / SIGN_INS_PER_SECOND)
    print(f"{backend}, {workers} workers: {users} users ({ramp:.0f} s ramp)...", file=sys.stderr)
    # Locust takes a few seconds to start its users; the cut is placed a third of the way into
    # the steady part, counted from now, so there is a "before" and an "after" to compare.
    outage = Outage(proxy, ramp + args.steady / 3, args.outage) if proxy is not None else None
    with Sampler(served.process.pid, follower) as sampler:
        if outage is not None:
            outage.start()
        try:
            requests = run_locust(served.url, plan, users, ramp, args.steady, args.nice)
        finally:
            if outage is not None:
                outage.finish()
    kept = plan.parent / f"requests-{backend}-{workers}-{users}.jsonl"
    kept.write_text("".join(json.dumps(astuple(r)) + "\n" for r in requests), encoding="utf-8")
    since, until = steady_window(requests, ramp)
    server, sync, busy = sampler.over(since, until)
    rows = summarise(requests, since, until)
    report = None
    if outage is not None and outage.cut_at is not None and outage.restored_at is not None:
        report = outage_report(requests, outage.cut_at, outage.restored_at)
        print(outage_table(report), file=sys.stderr)
    return Result(backend, workers, users, rows, server, sync, busy, os.getloadavg()[0], report)


def _drift_once_caught_up(environment: dict[str, str], timeout: float = 600.0) -> int:
    """The reconciler's drift after the follower has applied every pending change."""
    deadline = time.monotonic() + timeout
    while True:
        status = json.loads(_visor_output(environment, "index", "status", "--json"))
        if not status["pending_events"] or time.monotonic() > deadline:
            break
        time.sleep(2.0)
    # A dry run with drift exits non-zero by design: its report is read either way.
    report = _visor_output(environment, "index", "reconcile", "--dry-run", "--json", check=False)
    return int(json.loads(report)["total"])


def _visor_output(environment: dict[str, str], *arguments: str, check: bool = True) -> str:
    command = [sys.executable, "-m", "visor.cli", *arguments]
    return subprocess.run(
        command, env={**os.environ, **environment}, check=check, capture_output=True, text=True
    ).stdout


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
    parser.add_argument(
        "--outage",
        type=float,
        default=0.0,
        help="OpenSearch backend: cut the node off for this many seconds in each level",
    )
    args = parser.parse_args()
    results = run(args)
    print(_table(results))
    for result in results:
        if result.outage is not None:
            print(f"\n{result.backend}, {result.workers} workers, {result.users} users:")
            print(outage_table(result.outage))
            print(f"drift after the follower caught up: {result.drift}")
    if args.json_out:
        args.json_out.write_text(json.dumps([asdict(r) for r in results], indent=1))


if __name__ == "__main__":
    main()
