"""The nominal index's shard count follows the register's size, chosen when it is made."""

from pathlib import Path

import pytest

from indexer.lifecycle import MAX_SHARDS, NOMINALS_PER_SHARD, ensure_templates, shard_count
from indexer.sync import rebuild
from search.opensearch_connection import IndexNames, connect
from tests.conftest import minimal_record, run_import, write_bundle
from visor.services import build_services
from visor.settings import Settings


@pytest.mark.parametrize(
    ("nominals", "shards"),
    [
        (0, 1),
        (1, 1),
        (NOMINALS_PER_SHARD, 1),
        (NOMINALS_PER_SHARD + 1, 2),
        (4 * NOMINALS_PER_SHARD, 4),
        (100_000, 4),
        (10**9, MAX_SHARDS),
    ],
)
def test_one_shard_per_so_many_nominals_capped(nominals: int, shards: int) -> None:
    assert shard_count(nominals) == shards


def test_a_per_shard_figure_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        shard_count(10, nominals_per_shard=0)


@pytest.mark.opensearch
def test_a_rebuild_sizes_its_index_for_the_register(
    opensearch_url: str, opensearch_names: IndexNames, tmp_path: Path
) -> None:
    services = build_services(Settings(home=tmp_path / "home"))
    bundle = write_bundle(tmp_path / "bundle", [minimal_record(f"S{i}") for i in range(7)])
    run_import(services, bundle)
    client = connect(opensearch_url)
    ensure_templates(client, opensearch_names)
    built = rebuild(client, services.engine, opensearch_names, nominals_per_shard=3)
    services.close()
    index = client.indices.get_settings(index=built.index)[built.index]["settings"]["index"]
    # A single node: no replica, as a replica could not be placed beside its primary.
    assert (index["number_of_shards"], index["number_of_replicas"]) == ("3", "0")
    assert client.count(index=opensearch_names.alias)["count"] == 7
