"""SIGKILL the import, the API server (during writes through it) and the outbox sync at three
seeded random points each, on SQLite and on PostgreSQL, with a real OpenSearch node: after
each restart the register holds every acknowledged change, nothing is half-written, the
audit chain verifies, and the sync alone brings the index level with the register.
benchmarks/crash_recovery.py runs twenty points per target over a larger workload."""

import dataclasses
import uuid
from pathlib import Path

import pytest

from search.opensearch_connection import connect
from tests.reliability.crashing import (
    CrashCounts,
    Register,
    crash_api,
    crash_import,
    crash_sync,
    prepare_index,
)

# Three points per target keep this within CI's budget (each kill costs a process start,
# seconds on a loaded machine); the benchmark runs twenty.
KILLS = 3
SEED = 14
IMPORT_CHANGES = 200
API_CHANGES = 90


def _assert_recovered(counts: CrashCounts) -> None:
    print(f"\n{counts.row()}")
    assert counts.kills >= KILLS - 1, counts.row()  # a point may fall after the work ends
    assert counts.lost == 0, counts.row()
    assert counts.found == counts.acknowledged, counts.row()
    assert counts.half_written == 0, counts.problems
    assert counts.chain_intact, counts.row()
    assert counts.drift == 0, counts.row()


@pytest.mark.slow
@pytest.mark.opensearch
def test_killed_import_api_and_sync_lose_nothing_acknowledged(
    tmp_path: Path, database_url: str, opensearch_url: str
) -> None:
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    register = Register(tmp_path / "home", database_url, opensearch_url, f"{prefix}-a")
    # A second index over the same register, built while it is empty, for the sync's own
    # run: every change of the other two targets is pending for it.
    for_sync = dataclasses.replace(register, index_prefix=f"{prefix}-b")
    try:
        _run_targets(tmp_path, register, for_sync)
    finally:
        client = connect(opensearch_url)
        client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
        for names in (register, for_sync):
            client.indices.delete_index_template(
                name=f"{names.index_prefix}-nominals-template", ignore=[404]
            )
        client.close()


def _run_targets(tmp_path: Path, register: Register, for_sync: Register) -> None:
    prepare_index(register)
    prepare_index(for_sync)

    imported = crash_import(register, IMPORT_CHANGES, KILLS, SEED, _folder(tmp_path, "import"))
    _assert_recovered(imported)
    assert imported.acknowledged > 0

    written = crash_api(register, API_CHANGES, KILLS, SEED, _folder(tmp_path, "api"))
    _assert_recovered(written)
    assert written.acknowledged >= API_CHANGES

    synced = crash_sync(for_sync, KILLS, SEED, _folder(tmp_path, "sync"))
    _assert_recovered(synced)
    assert synced.changes >= IMPORT_CHANGES + API_CHANGES


def _folder(parent: Path, name: str) -> Path:
    folder = parent / name
    folder.mkdir()
    return folder
