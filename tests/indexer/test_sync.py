"""The OpenSearch index follows the register: rebuild behind an alias, outbox sync with
external versions, reconciliation. Against a real node, on both SQL backends."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from opensearchpy import OpenSearch
from sqlalchemy import update

from indexer.lifecycle import ensure_templates, write_position
from indexer.sync import RegisterBehindIndex, index_versions, rebuild, reconcile, status, sync
from register import store, tables
from register.database import open_register
from register.model import NominalRecord, from_document
from register.store import Incoming, write_records
from search.opensearch_connection import IndexNames, connect
from search.opensearch_index import current_index, read_position
from tests.conftest import minimal_record, run_import, write_bundle
from tests.search.test_photo_search import photo_bundle
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


def _record(reference: str, height: int) -> NominalRecord:
    return from_document(minimal_record(reference, height_cm=height))


@pytest.mark.postgres
def test_a_write_in_flight_during_a_rebuild_is_not_skipped(
    postgres_url: str, client: OpenSearch, opensearch_names: IndexNames
) -> None:
    # PostgreSQL hands out outbox ids at insert: a transaction still open holds a lower id
    # than one committed after it. A rebuild between the two must not claim the lower id.
    names = opensearch_names
    engine = open_register(postgres_url)
    with engine.begin() as connection:
        write_records(connection, [Incoming(_record("X", 170)), Incoming(_record("Y", 180))], "t")
    open_writer = engine.connect()
    in_flight = open_writer.begin()
    write_records(open_writer, [Incoming(_record("X", 199))], "slow")
    with engine.begin() as connection:
        write_records(connection, [Incoming(_record("Y", 181))], "fast")
    built = rebuild(client, engine, names)
    in_flight.commit()
    open_writer.close()
    assert built.outbox_position == 2  # stops below the id still in flight
    sync(client, engine, names, refresh=True)
    assert _versions(client, names) == {"X": 2, "Y": 2}
    engine.dispose()


def test_a_reanalysed_photo_reaches_the_index(
    services: Services, client: OpenSearch, opensearch_names: IndexNames, tmp_path: Path
) -> None:
    names = opensearch_names
    bundle = photo_bundle(tmp_path / "photos")
    run_import(services, bundle)
    with services.engine.begin() as connection:  # as if analysed by an older release
        connection.execute(update(tables.photo_analyses).values(analysis_version=0, phash=0))
    rebuild(client, services.engine, names)
    index = current_index(client, names)
    assert client.get(index=index, id="B")["_source"]["photos"] == []  # old hashes left out

    run_import(services, bundle)  # the same records: no new version, but re-analysed photos
    result = sync(client, services.engine, names, refresh=True)
    assert result.events > 0
    photos = client.get(index=index, id="B")["_source"]["photos"]
    assert len(photos) == 1 and photos[0]["phash"] != 0


def test_an_index_ahead_of_the_register_needs_a_rebuild(
    services: Services, client: OpenSearch, opensearch_names: IndexNames, tmp_path: Path
) -> None:
    names = opensearch_names
    run_import(services, write_bundle(tmp_path / "a", [minimal_record("R1")]))
    rebuild(client, services.engine, names)
    index = current_index(client, names)
    source = client.get(index=index, id="R1")["_source"]
    client.index(index=index, id="R1", body=source, version=9, version_type="external")
    drift = reconcile(client, services.engine, names, repair=False)
    assert drift.stale == ["R1"]
    with pytest.raises(RegisterBehindIndex, match="rebuild"):
        reconcile(client, services.engine, names)

    write_position(client, names, index, 500)  # as if the register were restored from backup
    with pytest.raises(RegisterBehindIndex, match="rebuild"):
        sync(client, services.engine, names)
    rebuild(client, services.engine, names)
    assert reconcile(client, services.engine, names, repair=False).total == 0
