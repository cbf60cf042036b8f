"""The nominal index's life: versioned indices behind one alias, and each index's sync
position (the last outbox event it holds) kept beside it in a small state index."""

import contextlib
import datetime as dt
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
    "settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
}


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


def create_index(client: OpenSearch, index: str) -> None:
    client.indices.create(index=index, body=index_body())


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
