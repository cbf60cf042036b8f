"""Run the locustfile headless against a server, and summarise what each kind of request
met over the steady part of the run (after every user has started and signed in).

The percentiles are computed here from every request's own time (the locustfile writes
them), not from locust's rounded histogram, and only over the window after the ramp, so a
sign-in storm at the start is reported as the sign-ins' own row, not mixed into searches.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import benchmarks
from benchmarks.load.plan import PLAN_VARIABLE

LOCUSTFILE = Path(__file__).parent / "locustfile.py"
# Locust imports the locustfile, which imports benchmarks.load.plan: it runs in the folder
# that holds the benchmarks package.
IMPORT_ROOT = Path(benchmarks.__file__).resolve().parent.parent
RECORD_VARIABLE = "VISOR_LOAD_RECORD"  # the locustfile's own name for it
SIGN_IN = "sign in"
STOP_SECONDS = 120


@dataclass(frozen=True)
class Request:
    name: str
    start: float
    milliseconds: float
    status: int
    failed: bool


@dataclass(frozen=True)
class Row:
    name: str
    count: int
    per_second: float
    p50: float
    p95: float
    p99: float
    failures: int
    server_errors: int  # 5xx
    unanswered: int  # no answer at all: refused, reset, timed out


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_locust(
    url: str, plan: Path, users: int, ramp_seconds: float, steady_seconds: float, nice: int = 0
) -> list[Request]:
    """Every request the simulated users made, `users` of them started over `ramp_seconds`
    and kept going `steady_seconds` more."""
    with tempfile.TemporaryDirectory(prefix="visor-load-") as folder:
        record = Path(folder) / "requests.jsonl"
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
        command += ["--users", str(users), "--spawn-rate", f"{users / ramp_seconds:.3f}"]
        command += ["--run-time", f"{math.ceil(ramp_seconds + steady_seconds)}s"]
        command += ["--host", url, "--only-summary", "--loglevel", "WARNING"]
        # Requests in flight at the end are let finish (not cut off and miscounted).
        command += ["--stop-timeout", str(STOP_SECONDS)]
        if nice:
            command = ["nice", "-n", str(nice), *command]
        environment = {**os.environ, PLAN_VARIABLE: str(plan), RECORD_VARIABLE: str(record)}
        # Locust's exit status is 1 when any request failed: the caller judges failures from
        # the record; a run that wrote none has failed to run at all.
        finished = subprocess.run(
            command, env=environment, cwd=IMPORT_ROOT, capture_output=True, text=True
        )
        if not record.exists():
            raise RuntimeError(f"locust did not run ({finished.returncode}):\n{finished.stderr}")
        lines = record.read_text(encoding="utf-8").splitlines()
    return [Request(*json.loads(line)) for line in lines]


def steady_window(requests: list[Request], ramp_seconds: float) -> tuple[float, float]:
    """From the end of the ramp (counted from the first request) to the last request's start."""
    starts = [r.start for r in requests]
    return min(starts) + ramp_seconds, max(starts)


def summarise(requests: list[Request], since: float, until: float) -> list[Row]:
    """Per kind of request, those started in [since, until); sign-ins over the whole run.
    The last row, "all", is every request but the sign-ins."""
    seconds = until - since
    groups: dict[str, list[Request]] = {}
    for request in requests:
        if request.name == SIGN_IN or since <= request.start < until:
            groups.setdefault(request.name, []).append(request)
    everything = [r for name, rs in groups.items() if name != SIGN_IN for r in rs]
    rows = [_row(name, group, seconds) for name, group in sorted(groups.items())]
    return [*rows, _row("all", everything, seconds)]


def _row(name: str, group: list[Request], seconds: float) -> Row:
    times = sorted(r.milliseconds for r in group)
    if name == SIGN_IN and group:
        seconds = max(r.start for r in group) - min(r.start for r in group) or 1.0
    return Row(
        name=name,
        count=len(group),
        per_second=len(group) / seconds,
        p50=percentile(times, 0.50),
        p95=percentile(times, 0.95),
        p99=percentile(times, 0.99),
        failures=sum(r.failed for r in group),
        server_errors=sum(r.status >= 500 for r in group),
        unanswered=sum(r.status == 0 for r in group),
    )
