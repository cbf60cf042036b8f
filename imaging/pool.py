"""A pool of worker processes for untrusted photo work: each worker runs under an address-space
limit (`RLIMIT_AS`), each job under a wall-clock limit, and a worker that dies, runs out of
memory or overruns costs that one job (reported as a `WorkFailed` with the reason) and is
replaced; the other jobs go on. Results come back in input order.

Why not `concurrent.futures.ProcessPoolExecutor`: when one of its workers dies, the whole
executor is broken and every pending job fails with it, and it has no per-job time limit.
Here each worker has its own pipe and one job at a time, so the parent always knows which
job a dead or stuck worker was holding.

Workers are started by a fork server that has imported the imaging code once, so a
replacement starts in milliseconds and never inherits the importer's database connections or
threads.
"""

import contextlib
import multiprocessing
import os
import resource
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

# Jobs handed out ahead of the next result owed, per worker: enough to keep every worker
# busy while one slow job holds up the order, few enough that results waiting to be
# returned in order stay a small amount of memory.
_LOOKAHEAD_PER_WORKER = 8
# Libraries that start their own thread pools (OpenBLAS under numpy, OpenCV) would multiply
# every worker's threads and reserve address space per thread; one worker is one core.
_SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class PoolLimits:
    workers: int
    memory_bytes: int  # address space per worker (RLIMIT_AS), imported libraries included
    seconds_per_job: float


@dataclass(frozen=True)
class WorkFailed:
    """A job whose worker raised, died, ran out of memory or overran: why, in words."""

    reason: str


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _worker_main(
    connection: Connection,
    task: Callable[[Any], Any],
    initializer: Callable[[], object] | None,
    memory_bytes: int,
    limit_text: str,
) -> None:
    if initializer is not None:
        initializer()  # before the limit: loading libraries and models is not a photo's cost
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return  # the parent has gone: nothing more to do
        if job is None:
            return
        try:
            outcome: tuple[bool, Any] = (True, task(job))
        except MemoryError:
            outcome = (False, f"needs more memory than the {limit_text} limit per photo worker")
        except Exception as error:
            outcome = (False, f"{type(error).__name__}: {error}")
        try:
            connection.send(outcome)
        except MemoryError:
            connection.send(
                (False, f"needs more memory than the {limit_text} limit per photo worker")
            )


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    job: int | None = None  # position of the job it holds
    deadline: float = 0.0


def _describe_memory(memory_bytes: int) -> str:
    return f"{memory_bytes / (1024 * 1024):,.0f} MiB"


class WorkerPool(Generic[Job, Result]):
    """`map(jobs)` runs `task` (a module-level function: it is sent to the workers by name)
    on each job in a worker process and yields, in input order, each result or a
    `WorkFailed`. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        task: Callable[[Job], Result],
        limits: PoolLimits,
        initializer: Callable[[], object] | None = None,
        preload: tuple[str, ...] = (),
    ) -> None:
        if limits.workers < 1:
            raise ValueError("a photo worker pool needs at least one worker")
        self.task = task
        self.initializer = initializer
        self.limits = limits
        # The fork server starts with this process's environment, on the first pool's first
        # worker; these settings are read when the libraries load, in the server.
        for name, value in _SINGLE_THREADED.items():
            os.environ.setdefault(name, value)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["imaging.pool", *preload])
        self._workers: list[_Worker] = []
        self.replaced = 0  # workers that died or were stopped and had to be started again

    def __enter__(self) -> "WorkerPool[Job, Result]":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _start_worker(self) -> _Worker:
        ours, theirs = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main,
            args=(
                theirs,
                self.task,
                self.initializer,
                self.limits.memory_bytes,
                _describe_memory(self.limits.memory_bytes),
            ),
            daemon=True,
            name="visor-photo-worker",
        )
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _stop(self, worker: _Worker) -> None:
        worker.connection.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()

    def close(self) -> None:
        for worker in self._workers:
            if worker.job is None and worker.process.is_alive():
                with contextlib.suppress(OSError):
                    worker.connection.send(None)
            worker.process.join(timeout=1 if worker.job is None else 0)
            self._stop(worker)
        self._workers = []

    def _ensure_workers(self) -> None:
        while len(self._workers) < self.limits.workers:
            self._workers.append(self._start_worker())

    def _replace(self, worker: _Worker) -> None:
        self._stop(worker)
        self._workers[self._workers.index(worker)] = self._start_worker()
        self.replaced += 1

    def map(self, jobs: Iterable[Job]) -> Iterator[Result | WorkFailed]:
        self._ensure_workers()
        pending = iter(jobs)
        waiting: deque[tuple[int, Job]] = deque()
        finished: dict[int, Result | WorkFailed] = {}
        next_owed = 0
        taken = 0
        exhausted = False
        lookahead = _LOOKAHEAD_PER_WORKER * self.limits.workers
        while True:
            while not exhausted and taken - next_owed < lookahead:
                try:
                    waiting.append((taken, next(pending)))
                except StopIteration:
                    exhausted = True
                    break
                taken += 1
            for worker in self._workers:
                if worker.job is None and waiting:
                    position, job = waiting.popleft()
                    try:
                        worker.connection.send(job)
                    except (OSError, ValueError):  # died while idle: start another
                        self._replace(worker)
                        waiting.appendleft((position, job))
                        continue
                    worker.job = position
                    worker.deadline = time.monotonic() + self.limits.seconds_per_job
            while next_owed in finished:
                yield finished.pop(next_owed)
                next_owed += 1
            busy = [w for w in self._workers if w.job is not None]
            if not busy:
                if exhausted and not waiting:
                    return
                continue
            self._collect(busy, finished)

    def _collect(self, busy: list[_Worker], finished: dict[int, Result | WorkFailed]) -> None:
        """Wait for the first busy worker to answer, die or overrun, and record its job."""
        timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        handles: dict[Any, _Worker] = {}
        for worker in busy:
            handles[worker.connection] = worker
            handles[worker.process.sentinel] = worker
        ready = wait(list(handles), timeout=timeout)
        answered: set[int] = set()
        for handle in ready:
            worker = handles[handle]
            if id(worker) in answered or worker.job is None:
                continue
            answered.add(id(worker))
            position = worker.job
            try:
                ok, value = worker.connection.recv()
                finished[position] = value if ok else WorkFailed(value)
                worker.job = None
            except (EOFError, OSError):
                finished[position] = WorkFailed(self._death(worker))
                worker.job = None
                self._replace(worker)
        now = time.monotonic()
        for worker in busy:
            if worker.job is not None and id(worker) not in answered and now >= worker.deadline:
                finished[worker.job] = WorkFailed(
                    f"took longer than the {self.limits.seconds_per_job:g} s limit per photo "
                    "(the worker was stopped)"
                )
                worker.job = None
                self._replace(worker)

    def _death(self, worker: _Worker) -> str:
        worker.process.join(timeout=1)
        code = worker.process.exitcode
        limit = _describe_memory(self.limits.memory_bytes)
        if code is not None and code < 0:
            return (
                f"the photo worker was killed by signal {-code} while decoding it "
                f"(its memory limit is {limit})"
            )
        return f"the photo worker stopped (exit status {code}) while decoding it"
