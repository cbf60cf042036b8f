"""The OpenSearch index follows the register: rebuild behind an alias, outbox sync with
external versions, reconciliation. Against a real node, on both SQL backends."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from indexer.lifecycle import current_index, ensure_templates, read_position
from indexer.opensearch_connection import IndexNames, connect
from indexer.sync import index_versions, rebuild, reconcile, status, sync
from register import store
from tests.conftest import minimal_record, run_import, write_bundle
from visor.services import Services

pytestmark = pytest.mark.opensearch


@pytest.fixture
def client(opensearch_url: str, opensearch_names: IndexNames) -> Iterator[OpenSearch]:
    client = connect(opensearch_url)
    ensure_templates(client, opensearch_names)
    yield client
    client.close()


def _versions(client: OpenSearch, names: IndexNames) -> dict[str, int]:
    index = current_index(client, names)
    client.indices.refresh(index=index)
    return index_versions(client, index)


def test_rebuild_then_sync_follows_the_register(
    services: Services, client: OpenSearch, opensearch_names: IndexNames, tmp_path: Path
) -> None:
    names = opensearch_names
    lines = [minimal_record(f"R{i}", build="slim") for i in range(5)]
    run_import(services, write_bundle(tmp_path / "a", lines))
    built = rebuild(client, services.engine, names)
    assert built.nominals == 5
    assert _versions(client, names) == {f"R{i}": 1 for i in range(5)}

    changed = [minimal_record("R1", build="stocky"), minimal_record("R9", build="slim")]
    run_import(services, write_bundle(tmp_path / "b", changed))
    with services.engine.begin() as connection:
        store.set_status(connection, "R2", "archived", "officer", "deceased")
    result = sync(client, services.engine, names, refresh=True)
    assert result.events == 3
    versions = _versions(client, names)
    assert versions["R1"] == 2 and versions["R2"] == 2 and versions["R9"] == 1
    index = current_index(client, names)
    assert client.get(index=index, id="R2")["_source"]["status"] == "archived"
    assert client.get(index=index, id="R1")["_source"]["build"] == "stocky"
    assert read_position(client, names, index) == result.outbox_position

    # Nothing new: a second sync applies nothing.
    assert sync(client, services.engine, names).events == 0
    report = status(client, services.engine, names)
    assert report.pending_events == 0 and report.documents == report.nominals_in_register == 6
    assert reconcile(client, services.engine, names).total == 0
