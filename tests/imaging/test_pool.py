"""The photo worker pool: results in input order, and a job that kills, exhausts or stalls
its worker costs that job alone (real worker processes, real limits)."""

import os
import signal
import time

from imaging.pool import PoolLimits, WorkerPool, WorkFailed

MIB = 1024 * 1024


def echo_after(job: tuple[int, float]) -> int:
    number, pause = job
    time.sleep(pause)
    return number


def hostile(job: str) -> str:
    if job == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if job == "exit":
        os._exit(3)
    if job == "stall":
        time.sleep(60)
    if job == "hog":
        _ = bytearray(2048 * MIB)  # over the address-space limit: MemoryError
    if job == "raise":
        raise ValueError("a bug in the task")
    return job.upper()


def worker_pid(_job: int) -> int:
    return os.getpid()


def limits(**changes: float) -> PoolLimits:
    values: dict[str, float] = {"workers": 2, "memory_bytes": 1024 * MIB, "seconds_per_job": 20}
    values.update(changes)
    return PoolLimits(
        int(values["workers"]), int(values["memory_bytes"]), values["seconds_per_job"]
    )


def test_results_come_back_in_input_order_whatever_order_they_finish_in() -> None:
    # Early jobs are the slow ones, so later ones finish first.
    jobs = [(i, 0.05 if i % 5 == 0 else 0.0) for i in range(60)]
    with WorkerPool(echo_after, limits(workers=3)) as pool:
        assert list(pool.map(jobs)) == list(range(60))
        assert list(pool.map([])) == []
        assert list(pool.map([(7, 0.0)])) == [7]  # the pool serves more than one map


def test_a_job_that_kills_its_worker_costs_that_job_alone() -> None:
    jobs = ["a", "kill", "b", "exit", "c", "raise", "d"]
    with WorkerPool(hostile, limits()) as pool:
        results = list(pool.map(jobs))
        assert pool.replaced == 2
    assert [r for r in results if not isinstance(r, WorkFailed)] == ["A", "B", "C", "D"]
    failed = {jobs[i]: r.reason for i, r in enumerate(results) if isinstance(r, WorkFailed)}
    assert "killed by signal 9" in failed["kill"]
    assert "exit status 3" in failed["exit"]
    assert failed["raise"] == "ValueError: a bug in the task"


def test_a_job_over_the_time_limit_is_stopped_and_the_rest_go_on() -> None:
    started = time.monotonic()
    with WorkerPool(hostile, limits(seconds_per_job=1.0)) as pool:
        results = list(pool.map(["a", "stall", "b", "c"]))
        assert pool.replaced == 1
    assert time.monotonic() - started < 30  # not the 60 s the job asked for
    assert results[0] == "A" and results[2:] == ["B", "C"]
    assert isinstance(results[1], WorkFailed) and "longer than the 1 s limit" in results[1].reason


def test_a_job_over_the_memory_limit_fails_with_the_limit_named() -> None:
    with WorkerPool(hostile, limits(memory_bytes=1024 * MIB)) as pool:
        results = list(pool.map(["a", "hog", "b"]))
    assert results[0] == "A" and results[2] == "B"
    assert isinstance(results[1], WorkFailed)
    assert "more memory than the 1,024 MiB limit" in results[1].reason


def test_one_worker_per_requested_slot_and_they_are_reused() -> None:
    with WorkerPool(worker_pid, limits(workers=2)) as pool:
        pids = [pid for pid in pool.map(range(40)) if isinstance(pid, int)]
    assert len(pids) == 40 and len(set(pids)) == 2 and os.getpid() not in pids
