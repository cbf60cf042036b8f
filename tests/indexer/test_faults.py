"""Faults: the node unreachable at start and mid-run, and the sync process killed mid-bulk.
Register writes never depend on the search node; searches say plainly that search is
unavailable (or fall back when configured); sync catches up with nothing lost."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError

from foundation.errors import SearchUnavailable
from indexer.bulk import IndexingFailed, write_actions
from indexer.lifecycle import create_index, ensure_templates
from indexer.sync import rebuild, reconcile, sync
from register import store
from register.database import snapshot
from register.indexing import outbox_position
from search.opensearch_backend import OpenSearchBackend
from search.opensearch_connection import IndexNames, connect
from search.opensearch_index import current_index, read_position
from search.register_index import RegisterIndex
from search.service import run_search
from tests.cli_helpers import visor_env
from tests.conftest import minimal_record, run_import, write_bundle
from tests.tcp_proxy import CuttableProxy
from visor.search_engines import FallbackBackend
from visor.services import Services
from visor.settings import Settings

pytestmark = pytest.mark.opensearch

QUERY = {"build": "stocky", "hair_colour": "ginger", "filters": {"status": "any"}}


def _proxy(opensearch_url: str) -> CuttableProxy:
    parts = urlsplit(opensearch_url)
    return CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 9200)


def _records(start: int, count: int, build: str = "stocky") -> list[dict[str, object]]:
    return [
        minimal_record(f"N{i:05d}", build=build, hair_colour="ginger")
        for i in range(start, start + count)
    ]


def test_writes_queue_while_the_node_is_down_and_sync_catches_up(
    services: Services, opensearch_url: str, opensearch_names: IndexNames, tmp_path: Path
) -> None:
    names = opensearch_names
    with _proxy(opensearch_url) as proxy:
        client = connect(proxy.url, timeout=5)
        proxy.cut()  # unreachable at start
        run_import(services, write_bundle(tmp_path / "a", _records(0, 20)))
        with snapshot(services.engine) as connection:
            assert outbox_position(connection) == 20  # queued in the outbox
        backend = OpenSearchBackend(client, names)
        with pytest.raises(SearchUnavailable, match="search unavailable"):
            run_search(QUERY, backend)
        fallback = FallbackBackend(backend, lambda: RegisterIndex(services.engine).backend)
        assert len(run_search(QUERY, fallback).candidates) == 10
        with pytest.raises(OpenSearchConnectionError):
            ensure_templates(client, names)

        proxy.restore()  # the node returns
        ensure_templates(client, names)
        assert rebuild(client, services.engine, names).nominals == 20
        assert len(run_search(QUERY, backend).candidates) == 10

        proxy.cut()  # and goes away mid-run
        run_import(services, write_bundle(tmp_path / "b", _records(20, 15)))
        with services.engine.begin() as connection:
            store.set_status(connection, "N00003", "archived", "officer", "moved abroad")
        index = current_index(connect(opensearch_url), names)
        position = read_position(connect(opensearch_url), names, index)
        with pytest.raises((OpenSearchConnectionError, IndexingFailed)):
            sync(client, services.engine, names)
        assert read_position(connect(opensearch_url), names, index) == position
        with pytest.raises(SearchUnavailable):
            run_search(QUERY, OpenSearchBackend(client, names))

        proxy.restore()
        result = sync(client, services.engine, names, refresh=True)
        assert result.events == 16
        assert reconcile(client, services.engine, names, repair=False).total == 0
        found = client.get(index=index, id="N00003")["_source"]
        assert found["status"] == "archived"


def test_bulk_writes_retry_until_the_node_returns(
    opensearch_url: str, opensearch_names: IndexNames
) -> None:
    index = f"{opensearch_names.prefix}-bulk"
    create_index(connect(opensearch_url), index)
    actions = [
        {
            "_index": index,
            "_id": f"R{i}",
            "version": 1,
            "version_type": "external",
            "_source": {"reference": f"R{i}", "version": 1},
        }
        for i in range(50)
    ]
    with _proxy(opensearch_url) as proxy:
        proxy.cut()
        threading.Timer(1.5, proxy.restore).start()
        result = write_actions(connect(proxy.url, timeout=5), actions, initial_backoff=0.5)
    assert result.written == 50 and result.retried >= 50
    # Replaying the same versions changes nothing: the index already holds them.
    again = write_actions(connect(opensearch_url), actions)
    assert again.written == 0 and again.already_current == 50


def test_a_sync_killed_mid_bulk_converges_when_run_again(
    settings: Settings,
    services: Services,
    opensearch_url: str,
    opensearch_names: IndexNames,
    tmp_path: Path,
) -> None:
    names = opensearch_names
    client = connect(opensearch_url)
    ensure_templates(client, names)
    rebuild(client, services.engine, names)  # an empty index at position 0
    run_import(services, write_bundle(tmp_path / "a", _records(0, 1500)))
    with snapshot(services.engine) as connection:
        last = outbox_position(connection)
    env = visor_env(
        settings.home,
        settings.database_url,
        VISOR_OPENSEARCH_URL=opensearch_url,
        VISOR_OPENSEARCH_INDEX_PREFIX=names.prefix,
    )
    command = [sys.executable, "-m", "visor.cli", "index", "sync", "--batch-size", "20"]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL)
    index = current_index(client, names)
    deadline = time.monotonic() + 120
    while read_position(client, names, index) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = read_position(client, names, index)
    assert 0 < killed_at < last, "the kill must land part-way through the sync"

    resumed = sync(client, services.engine, names, refresh=True)
    assert resumed.outbox_position == last
    drift = reconcile(client, services.engine, names, repair=False)
    assert drift.total == 0, drift
    assert client.count(index=index)["count"] == 1500


def test_sync_follow_rides_out_a_node_that_is_down_and_an_index_not_built(
    settings: Settings,
    services: Services,
    opensearch_url: str,
    opensearch_names: IndexNames,
    tmp_path: Path,
) -> None:
    names = opensearch_names
    client = connect(opensearch_url)
    with _proxy(opensearch_url) as proxy:
        proxy.cut()
        env = visor_env(
            settings.home,
            settings.database_url,
            VISOR_OPENSEARCH_URL=proxy.url,
            VISOR_OPENSEARCH_INDEX_PREFIX=names.prefix,
        )
        command = [sys.executable, "-m", "visor.cli", "index", "sync", "--follow"]
        log = tmp_path / "follower.log"

        def said(words: bytes) -> bool:
            # Waits for the follower to say it, rather than for a fixed time: on a loaded
            # machine its start-up alone can take longer than any sleep chosen here.
            deadline = time.monotonic() + 60
            while words not in log.read_bytes() and time.monotonic() < deadline:
                assert process.poll() is None, "the follower must ride out every fault"
                time.sleep(0.1)
            return words in log.read_bytes()

        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [*command, "--interval", "0.2"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            run_import(services, write_bundle(tmp_path / "a", _records(0, 30)))
            assert said(b"cannot be reached"), "a node that is down is said so"
            proxy.restore()
            assert said(b"no search index yet"), "and so is an index not yet built"
            ensure_templates(client, names)
            rebuild(client, services.engine, names)
            index = current_index(client, names)
            run_import(services, write_bundle(tmp_path / "b", _records(30, 10)))
            with snapshot(services.engine) as connection:
                last = outbox_position(connection)
            deadline = time.monotonic() + 60
            while read_position(client, names, index) < last and time.monotonic() < deadline:
                time.sleep(0.1)
            assert process.poll() is None, "the follower is still running"
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert read_position(client, names, index) == last
    assert reconcile(client, services.engine, names, repair=False).total == 0
