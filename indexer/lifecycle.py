"""The nominal index's life: versioned indices behind one alias, and each index's sync
position (the last outbox event it holds) kept beside it in a small state index."""

import contextlib
import datetime as dt
import math
from typing import Any

from opensearchpy import NotFoundError, OpenSearch
from opensearchpy.exceptions import ConflictError, RequestError

from indexer.mapping import index_body
from search.opensearch_connection import IndexNames

_STATE_MAPPING = {
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "index": {"type": "keyword"},
            "outbox_position": {"type": "long"},
            "updated_at": {"type": "date"},
        },
    },
    # A copy on a second node whenever there is one, as for the nominal index: the sync
    # position must outlive the loss of the node holding it, or sync stops with it.
    "settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}},
}

# One primary shard per this many nominals. A shard is fixed when its index is made, so the
# count is chosen from the register's size at each rebuild. Small shards are copied again
# quickly when a node is lost and spread a large register's searches over the nodes; too
# many small ones cost more per search than they save (see docs/reliability.md).
NOMINALS_PER_SHARD = 25_000
MAX_SHARDS = 16


def ensure_templates(client: OpenSearch, names: IndexNames) -> None:
    """Index templates applied at start-up: any nominal index made under this prefix gets
    visor's settings and mappings, and the state index exists."""
    body = index_body()
    client.indices.put_index_template(
        name=f"{names.alias}-template",
        body={
            "index_patterns": [f"{names.alias}-v*"],
            "template": {"settings": body["settings"], "mappings": body["mappings"]},
            "priority": 100,
        },
    )
    if not client.indices.exists(index=names.state):
        try:
            client.indices.create(index=names.state, body=_STATE_MAPPING)
        except RequestError as error:
            if error.error != "resource_already_exists_exception":
                raise  # anything but another process having made it first


def shard_count(nominals: int, nominals_per_shard: int = NOMINALS_PER_SHARD) -> int:
    """Primary shards for a nominal index made for a register of `nominals`."""
    if nominals_per_shard < 1:
        raise ValueError(f"nominals per shard must be at least 1, not {nominals_per_shard}")
    return min(MAX_SHARDS, max(1, math.ceil(nominals / nominals_per_shard)))


def create_index(
    client: OpenSearch,
    index: str,
    nominals: int = 0,
    nominals_per_shard: int = NOMINALS_PER_SHARD,
) -> None:
    """Make a nominal index sized for a register of `nominals`. Replicas are not set here:
    the mapping's `auto_expand_replicas` keeps one copy on a second node whenever the
    cluster has one, and none on a single node, where a replica could not be placed."""
    body = index_body()
    body["settings"]["index"]["number_of_shards"] = shard_count(nominals, nominals_per_shard)
    client.indices.create(index=index, body=body)


def swap_alias(client: OpenSearch, names: IndexNames, index: str) -> list[str]:
    """Point the alias at `index` in one atomic step; return the indices it left."""
    try:
        previous = sorted(client.indices.get_alias(name=names.alias))
    except NotFoundError:
        previous = []
    actions: list[dict[str, Any]] = [
        {"remove": {"index": p, "alias": names.alias}} for p in previous
    ]
    actions.append({"add": {"index": index, "alias": names.alias}})
    client.indices.update_aliases(body={"actions": actions})
    return [p for p in previous if p != index]


def write_position(client: OpenSearch, names: IndexNames, index: str, position: int) -> None:
    """Record that `index` holds every outbox event up to `position`. The position is the
    document's external version, so a slower sync process can never move it backwards."""
    with contextlib.suppress(ConflictError):  # another process recorded a later position
        client.index(
            index=names.state,
            id=index,
            body={
                "index": index,
                "outbox_position": position,
                "updated_at": dt.datetime.now(dt.UTC).isoformat(),
            },
            version=position,
            version_type="external_gte",
            refresh="true",
        )


def forget_position(client: OpenSearch, names: IndexNames, index: str) -> None:
    with contextlib.suppress(NotFoundError):
        client.delete(index=names.state, id=index, refresh="true")
