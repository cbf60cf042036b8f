"""Cluster faults: bulk-index a register into a three-node OpenSearch cluster and lose one
node half-way, then check that nothing the register acknowledged is missing from the index.

    nice python -m benchmarks.cluster_faults [--size 100000] [--faults none kill partition]
                                             [--heap 768m] [--edits-per-second 20] [--outage 30]

A register (SQLite) is filled through the real import path. Then for each fault, and once
with none as the baseline, in one cluster (three JVMs on loopback,
tests/opensearch_cluster.py): `rebuild` bulk-indexes the register into a new index sized by
`shard_count` while a writer keeps editing nominals in it. When half the nominals are
written, the fault lands: `kill` SIGKILLs the last node's JVM, `partition` cuts it off
behind the TCP proxy on its transport port. The rebuild carries on, then an outbox follower
(`sync` in a loop, as `visor index sync --follow`) applies the writer's edits. After a
while the node is restarted (or the partition healed), the cluster goes green, the writer
stops, and a last sync runs. Then: the drift the reconciler finds (which must be zero: the
outbox alone must have carried every change), and every nominal read back through a search
at the register's version.

The test (tests/reliability/test_cluster_faults.py) runs `run_fault` at a small size; this
script runs the full size once per fault and prints the figures.
"""

import argparse
import json
import logging
import random
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from opensearchpy import OpenSearch, helpers

from foundation.errors import StaleVersion, VisorError
from indexer.lifecycle import NOMINALS_PER_SHARD, ensure_templates
from indexer.sync import rebuild, reconcile, sync
from register import changes, store
from register.database import snapshot
from register.indexing import iter_versions
from register.nif_import import DEFAULT_PHOTO_LIMITS, BundleImporter, RejectWriter, open_bundle
from search.opensearch_connection import IndexNames, connect
from tests.conftest import TEST_SECRET_KEY
from tests.opensearch_cluster import Cluster, running_cluster
from visor.security import operator_auditor
from visor.services import Services, build_services
from visor.settings import Settings
from visor.synthetic import write_bundle

Fault = Literal["none", "kill", "partition"]  # "none": the baseline, in the same run


class _BulkRetries(logging.Handler):
    """Counts the bulk writer's per-document retry warnings (indexer.bulk logs each one)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class Writer(threading.Thread):
    """Edits random nominals through the register, as users would, and keeps the last
    acknowledged (committed) tag and version of each."""

    def __init__(self, services: Services, references: list[str], per_second: float) -> None:
        super().__init__(daemon=True)
        self.services = services
        self.references = references
        self.pause = 1.0 / per_second
        self.stop = threading.Event()
        self.acknowledged: dict[str, tuple[str, int]] = {}  # reference -> (tag, version)
        self.edits = 0
        self.errors: list[str] = []

    def run(self) -> None:
        auditor = operator_auditor(self.services.settings)
        rng = random.Random(7)
        while not self.stop.wait(self.pause):
            reference = rng.choice(self.references)
            tag = f"edit{self.edits}"
            try:
                with snapshot(self.services.engine) as connection:
                    current = store.get_record(connection, reference)
                    version = store.find_existing(connection, [reference])[reference].version
                edited = current.model_copy(update={"behavioural_traits": [tag]})
                with self.services.engine.begin() as connection:
                    written = changes.replace(connection, auditor, edited, version)
            except StaleVersion:
                continue
            except Exception as error:  # counted: the register must not fail with the index
                self.errors.append(f"{type(error).__name__}: {error}")
                continue
            self.acknowledged[reference] = (tag, written.version)
            self.edits += 1


class Follower(threading.Thread):
    """`sync` in a loop, as `visor index sync --follow` runs it, counting what it rode out."""

    def __init__(self, client: OpenSearch, services: Services, names: IndexNames) -> None:
        super().__init__(daemon=True)
        self.client, self.services, self.names = client, services, names
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.events = 0

    def run(self) -> None:
        while not self.stop.wait(0.2):
            try:
                self.events += sync(self.client, self.services.engine, self.names).events
            except Exception as error:  # any failure is retried, and counted for the figures
                self.errors.append(f"{type(error).__name__}: {str(error)[:200]}")


@dataclass
class FaultFigures:
    fault: str
    nominals: int
    shards: int
    replicas: int
    victim_role: str
    index_s: float
    bulk_retries: int
    follower_errors: int
    follower_error_sample: list[str]
    edits_acknowledged: int
    edit_errors: int
    fault_seen_s: float  # the fault to the entry node seeing two nodes
    recovery_s: float  # restart / heal to green
    drift_before_reconcile: int
    drift_after_reconcile: int
    unsearchable_or_stale: int
    events: list[str] = field(default_factory=list)


def _import(services: Services, bundle: Path) -> None:
    with (
        (bundle.parent / "rejects.jsonl").open("w") as rejects,
        open_bundle(bundle).open("rb") as stream,
    ):
        summary = BundleImporter(
            services.engine,
            services.blob_store,
            RejectWriter(rejects),
            actor="benchmark",
            batch_size=services.settings.import_batch_size,
            auditor=operator_auditor(services.settings),
            photo_limits=DEFAULT_PHOTO_LIMITS,
        ).run(stream, bundle, str(bundle))
    if summary.rejected:
        raise VisorError(f"the synthetic bundle had {summary.rejected} reject(s)")


def _node_role(cluster: Cluster) -> str:
    with_master = cluster_get(cluster, "/_cat/nodes?h=name,cluster_manager&format=json")
    for row in with_master:
        if row["name"] == cluster.victim.name:
            return "elected cluster manager" if row["cluster_manager"] == "*" else "data node"
    return "unknown"


def cluster_get(cluster: Cluster, path: str) -> Any:
    with urllib.request.urlopen(cluster.url + path, timeout=30) as answer:
        return json.load(answer)


def searchable_mismatches(
    client: OpenSearch, services: Services, names: IndexNames, writer: Writer
) -> list[str]:
    """Every nominal read back through a search of the alias: at the register's version,
    and holding the last edit the register acknowledged for it."""
    indexed = {
        hit["_id"]: hit["_source"]
        for hit in helpers.scan(
            client,
            index=names.alias,
            query={"_source": ["version", "behavioural_traits"]},
            size=5000,
        )
    }
    wrong: list[str] = []
    with snapshot(services.engine) as connection:
        for reference, version in iter_versions(connection):
            source = indexed.get(reference)
            if source is None or source["version"] != version:
                wrong.append(f"{reference}: register v{version}, index {source}")
    for reference, (tag, version) in writer.acknowledged.items():
        source = indexed.get(reference)
        if (
            source is None
            or source["version"] < version
            or (source["version"] == version and source["behavioural_traits"] != tag)
        ):
            wrong.append(f"{reference}: acknowledged {tag} at v{version}, index {source}")
    return wrong


def filled_register(home: Path, size: int) -> Services:
    """A SQLite register of `size` synthetic nominals, filled through the real import path.
    The caller closes it."""
    settings = Settings(
        home=home / "home",
        database_url=f"sqlite:///{home / 'register.db'}",
        secret_key=TEST_SECRET_KEY,  # a throwaway register's, as in the test suite
    )
    services = build_services(settings)
    _import(services, write_bundle(home / "bundle", size))
    return services


def run_fault(
    cluster: Cluster,
    services: Services,
    fault: Fault,
    nominals_per_shard: int = NOMINALS_PER_SHARD,
    edits_per_second: float = 20.0,
    batch_size: int = 1000,
    outage_s: float = 10.0,
    log: Callable[[str], None] = lambda _line: None,
) -> FaultFigures:
    """One fault while the register is rebuilt into a fresh index prefix on a green
    cluster; the cluster is green again when this returns. The register may have served an
    earlier run: each run indexes it whole again, and checks it whole."""
    names = IndexNames(f"fault-{fault}-{int(time.time())}")
    client = connect(cluster.url, timeout=30)
    retries = _BulkRetries()
    logging.getLogger("indexer.bulk").addHandler(retries)
    writer = Writer(services, [], edits_per_second)
    follower = Follower(client, services, names)
    try:
        with snapshot(services.engine) as connection:
            writer.references = [reference for reference, _ in iter_versions(connection)]
        size = len(writer.references)
        ensure_templates(client, names)
        writer.start()
        victim_role = _node_role(cluster)
        earlier_events = len(cluster.events)  # the cluster's log spans every run
        written = 0
        fault_seen: list[float] = []
        # Times how long the entry node takes to see the node gone, beside the rebuild.
        seen = threading.Thread(target=lambda: fault_seen.append(cluster.wait_for(2, "yellow")))

        def on_progress(count: int) -> None:
            nonlocal written
            written += count
            if fault != "none" and seen.ident is None and written >= size // 2:  # once
                cluster.kill(cluster.victim) if fault == "kill" else cluster.partition()
                seen.start()
                log(f"{fault}: {cluster.events[-1]} at {written} nominals written")

        started = time.monotonic()
        result = rebuild(
            client,
            services.engine,
            names,
            batch_size=batch_size,
            on_progress=on_progress,
            nominals_per_shard=nominals_per_shard,
        )
        index_s = time.monotonic() - started
        log(f"{fault}: rebuild wrote {result.nominals} in {index_s:.1f}s")
        follower.start()
        recovery_s = 0.0
        if fault != "none":
            seen.join()
            time.sleep(outage_s)  # edits keep coming while one node is gone
            healing = time.monotonic()
            if fault == "kill":
                cluster.restart(cluster.victim)
            else:
                cluster.heal()
            cluster.wait_for(3, "green")
            recovery_s = time.monotonic() - healing
            log(f"{fault}: green again {recovery_s:.1f}s after {cluster.events[-1]}")
        time.sleep(2)  # edits after recovery, too
        writer.stop.set()
        writer.join()
        follower.stop.set()
        follower.join()
        sync(client, services.engine, names, refresh=True)
        log(f"{fault}: {writer.edits} edits acknowledged; reconciling")
        before = reconcile(client, services.engine, names, repair=False)
        reconcile(client, services.engine, names, repair=True)
        after = reconcile(client, services.engine, names, repair=False)
        wrong = searchable_mismatches(client, services, names, writer)
        index_settings = client.indices.get_settings(index=result.index)[result.index]
        shards = int(index_settings["settings"]["index"]["number_of_shards"])
        replicas = int(index_settings["settings"]["index"]["number_of_replicas"])
        return FaultFigures(
            fault=fault,
            nominals=size,
            shards=shards,
            replicas=replicas,
            victim_role=victim_role,
            index_s=round(index_s, 1),
            bulk_retries=retries.count,
            follower_errors=len(follower.errors),
            follower_error_sample=follower.errors[:3],
            edits_acknowledged=writer.edits,
            edit_errors=len(writer.errors),
            fault_seen_s=round(fault_seen[0], 2) if fault_seen else 0.0,
            recovery_s=round(recovery_s, 1),
            drift_before_reconcile=before.total,
            drift_after_reconcile=after.total,
            unsearchable_or_stale=len(wrong),
            events=cluster.events[earlier_events:],
        )
    finally:
        writer.stop.set()
        follower.stop.set()
        logging.getLogger("indexer.bulk").removeHandler(retries)
        client.indices.delete(index=f"{names.prefix}-*", ignore_unavailable=True)
        client.indices.delete_index_template(name=f"{names.alias}-template", ignore=[404])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument(
        "--faults",
        nargs="+",
        choices=["none", "kill", "partition"],
        default=["none", "kill", "partition"],
    )
    parser.add_argument("--heap", default="768m", help="each node's heap")
    parser.add_argument("--edits-per-second", type=float, default=20.0)
    parser.add_argument("--outage", type=float, default=30.0, help="seconds the node stays gone")
    args = parser.parse_args()
    figures = []
    with tempfile.TemporaryDirectory(prefix="visor-cluster-faults-") as folder:
        started = time.monotonic()
        services = filled_register(Path(folder), args.size)
        print(f"register of {args.size} imported in {time.monotonic() - started:.0f}s", flush=True)
        started = time.monotonic()
        with running_cluster(heap=args.heap) as cluster:
            print(f"cluster green in {time.monotonic() - started:.0f}s", flush=True)
            for fault in args.faults:
                run = run_fault(
                    cluster,
                    services,
                    fault,
                    edits_per_second=args.edits_per_second,
                    outage_s=args.outage,
                    log=lambda line: print(line, flush=True),
                )
                print(json.dumps(asdict(run)), flush=True)
                figures.append(run)
        services.close()
    print(json.dumps([asdict(f) for f in figures], indent=2))


if __name__ == "__main__":
    main()
