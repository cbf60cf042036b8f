"""`visor serve` as a deployment runs it, in a process of its own on a loopback port, and the
CPU its process tree (the supervisor and every worker) spends."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 180.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _started(log: Path, workers: int) -> bool:
    """Every worker has started its app (health alone says only that one has)."""
    return log.read_text(errors="replace").count("Application startup complete") >= workers


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _descendants(pid: int) -> list[int]:
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                waiting += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue  # ended meanwhile
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU of `pid` and every process under it now (Linux /proc)."""
    total = 0
    for each in _descendants(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


@dataclass(frozen=True)
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    workers: int

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)


def start_serving(environment: Mapping[str, str], workers: int, log: Path, nice: int = 0) -> Served:
    """Start `visor serve --workers N` on a free loopback port; `wait_serving` waits for it
    (several servers start side by side faster than one after another)."""
    port = free_port()
    command = [sys.executable, "-m", "visor.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env={**os.environ, **environment}, stdout=output, stderr=subprocess.STDOUT
        )
    return Served(f"http://127.0.0.1:{port}", process, log, workers)


def wait_serving(served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not (_started(served.log, served.workers) and _healthy(served.url)):
        if served.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"visor serve did not start:\n{served.log.read_text()[-3000:]}")
        time.sleep(0.5)


def stop_serving(served: Served) -> None:
    served.process.send_signal(signal.SIGINT)
    try:
        served.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()


@contextmanager
def visor_serve(
    environment: Mapping[str, str], workers: int, log: Path, nice: int = 0
) -> Iterator[Served]:
    """`visor serve --workers N` on a free loopback port, until the block ends."""
    served = start_serving(environment, workers, log, nice)
    try:
        wait_serving(served)
        yield served
    finally:
        stop_serving(served)
