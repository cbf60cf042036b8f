"""One node of a three-node OpenSearch cluster lost half-way through bulk indexing, by a
SIGKILL of its JVM and, separately, by a network partition: every nominal the register
acknowledged ends up searchable at its latest version, with no drift for the reconciler to
repair. The scenario is benchmarks/cluster_faults.py's, at a size CI can afford; the script
runs it at 100,000 nominals (figures in docs/reliability.md)."""

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from benchmarks.cluster_faults import Fault, filled_register, run_fault
from tests.conftest import _unavailable
from tests.opensearch_cluster import Cluster, running_cluster
from tests.opensearch_server import java_available

pytestmark = [pytest.mark.opensearch, pytest.mark.slow]

NOMINALS = 1500
NOMINALS_PER_SHARD = 500  # three primaries at this size, one on each node to begin with


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if not java_available():
        _unavailable("no JDK with Maven to run an OpenSearch cluster")
    with running_cluster() as started:
        yield started


@pytest.mark.parametrize("fault", ["kill", "partition"])
def test_a_node_lost_mid_bulk_loses_nothing_acknowledged(
    cluster: Cluster, fault: Fault, tmp_path: Path
) -> None:
    services = filled_register(tmp_path, NOMINALS)
    try:
        figures = run_fault(
            cluster,
            services,
            fault,
            nominals_per_shard=NOMINALS_PER_SHARD,
            batch_size=100,
            outage_s=3.0,
        )
    finally:
        services.close()
    print(json.dumps(asdict(figures)))  # the figures, for `pytest -s`
    assert (figures.shards, figures.replicas) == (3, 1)
    assert figures.edits_acknowledged > 0 and figures.edit_errors == 0, figures
    assert figures.drift_before_reconcile == 0, figures
    assert figures.unsearchable_or_stale == 0, figures
    assert figures.drift_after_reconcile == 0, figures
    expected = ["killed", "restarted"] if fault == "kill" else ["partitioned", "healed"]
    assert [event.split()[0] for event in figures.events[-2:]] == expected
