"""Keeping the OpenSearch index equal to the register.

- `rebuild`: a new versioned index from one snapshot of the register, then an atomic alias
  swap, so a search never sees a half-built index. The index's position is the outbox
  position that snapshot includes; `sync` carries on from there.
- `sync`: consume the outbox past the index's position. Each event names a nominal; its
  *current* record is indexed with the register's version as an external version, so
  replaying events never overwrites newer data, and a nominal no longer in the register is
  deleted. The position moves only after the batch is written.
- `reconcile`: compare (reference, version) between register and index and repair any drift.
"""

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from opensearchpy import OpenSearch, helpers
from sqlalchemy import Engine

from foundation.errors import Conflict
from indexer.bulk import BulkResult, write_actions
from indexer.lifecycle import (
    NOMINALS_PER_SHARD,
    create_index,
    forget_position,
    swap_alias,
    write_position,
)
from indexer.mapping import mapping_version
from indexer.opensearch_source import index_source
from register.database import snapshot
from register.indexing import (
    IndexableNominal,
    count_events_after,
    database_now,
    iter_indexable,
    iter_versions,
    load_indexable,
    outbox_events_after,
    outbox_position,
    settled_events,
    settled_position,
)
from register.store import count_nominals
from search.opensearch_connection import IndexNames
from search.opensearch_index import current_index, read_position

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _index_action(index: str, nominal: IndexableNominal) -> dict[str, Any]:
    return {
        "_op_type": "index",
        "_index": index,
        "_id": nominal.record.reference,
        "version": nominal.version,
        # Equal versions may be written again: a re-analysed photo changes the document
        # without changing the record. Older versions are still refused.
        "version_type": "external_gte",
        "_source": index_source(nominal),
    }


def _delete_action(index: str, reference: str) -> dict[str, Any]:
    return {"_op_type": "delete", "_index": index, "_id": reference}


class RegisterBehindIndex(Conflict):
    """The index holds changes the register no longer has: only a rebuild can repair it."""


@dataclass(frozen=True)
class RebuildResult:
    index: str
    nominals: int
    outbox_position: int
    removed_indices: list[str]


def rebuild(
    client: OpenSearch,
    engine: Engine,
    names: IndexNames,
    batch_size: int = 1000,
    on_progress: Callable[[int], object] | None = None,
    on_total: Callable[[int], None] | None = None,
    nominals_per_shard: int = NOMINALS_PER_SHARD,
) -> RebuildResult:
    index = names.new_index(mapping_version())
    written = 0
    try:
        with snapshot(engine) as connection:
            position = settled_position(connection)
            total = count_nominals(connection)
            # Shards are sized for the register as the snapshot holds it.
            create_index(client, index, total, nominals_per_shard)
            if on_total:
                on_total(total)
            for batch in batched(iter_indexable(connection, batch_size), batch_size):
                write_actions(client, [_index_action(index, n) for n in batch])
                written += len(batch)
                if on_progress:
                    on_progress(len(batch))
        client.indices.refresh(index=index)
        write_position(client, names, index, position)
    except BaseException:
        # The alias still points at the previous, complete index; drop the partial one.
        client.indices.delete(index=index, ignore_unavailable=True)
        forget_position(client, names, index)
        raise
    # Only what the alias left is removed: another rebuild's index, still being built,
    # is not ours to delete.
    removed = swap_alias(client, names, index)
    for old in removed:
        client.indices.delete(index=old, ignore_unavailable=True)
        forget_position(client, names, old)
    return RebuildResult(index, written, position, removed)


@dataclass
class SyncResult:
    index: str
    events: int = 0
    written: int = 0
    already_current: int = 0
    deleted: int = 0
    outbox_position: int = 0
    waiting_at_gap: bool = False


def _apply(client: OpenSearch, engine: Engine, index: str, references: list[str]) -> BulkResult:
    with snapshot(engine) as connection:
        nominals = load_indexable(connection, references)
    found = {n.record.reference for n in nominals}
    actions = [_index_action(index, n) for n in nominals]
    actions += [_delete_action(index, r) for r in references if r not in found]
    return write_actions(client, actions)


def sync(
    client: OpenSearch,
    engine: Engine,
    names: IndexNames,
    batch_size: int = 500,
    refresh: bool = False,
) -> SyncResult:
    """Apply every settled outbox event past the index's position."""
    index = current_index(client, names)
    position = read_position(client, names, index)
    with engine.connect() as connection:
        latest = outbox_position(connection)
    if position > latest:
        raise RegisterBehindIndex(
            f"the index {index} has applied outbox events up to {position} but the register's "
            f"outbox ends at {latest} (a register restored from a backup?): run "
            "`visor index rebuild`"
        )
    result = SyncResult(index=index, outbox_position=position)
    while True:
        with engine.connect() as connection:
            found = outbox_events_after(connection, position, batch_size)
            current = database_now(connection)
        events = settled_events(found, position, current)
        if not events:
            result.waiting_at_gap = bool(found)
            break
        references = list(dict.fromkeys(e.reference for e in events))
        written = _apply(client, engine, index, references)
        result.events += len(events)
        result.written += written.written
        result.already_current += written.already_current
        result.deleted += written.deleted
        position = events[-1].id
        write_position(client, names, index, position)
        result.outbox_position = position
        if len(events) < len(found):
            result.waiting_at_gap = True
            break
    if refresh:
        client.indices.refresh(index=index)
    return result


@dataclass(frozen=True)
class IndexStatus:
    alias: str
    index: str
    mapping_version: int
    current_mapping_version: int
    documents: int
    nominals_in_register: int
    index_position: int
    register_position: int
    pending_events: int


def status(client: OpenSearch, engine: Engine, names: IndexNames) -> IndexStatus:
    index = current_index(client, names)
    meta = client.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
    position = read_position(client, names, index)
    with snapshot(engine) as connection:
        latest = outbox_position(connection)
        nominals = count_nominals(connection)
        pending = count_events_after(connection, position)
    return IndexStatus(
        alias=names.alias,
        index=index,
        mapping_version=int(meta.get("mapping_version", 0)),
        current_mapping_version=mapping_version(),
        documents=int(client.count(index=index)["count"]),
        nominals_in_register=nominals,
        index_position=position,
        register_position=latest,
        pending_events=pending,
    )


@dataclass(frozen=True)
class Drift:
    missing: list[str]  # in the register, not in the index
    stale: list[str]  # in both, the index at another version
    extra: list[str]  # in the index, no longer in the register
    repaired: bool

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def index_versions(client: OpenSearch, index: str) -> dict[str, int]:
    """Each document's external version: the one that decides which writes it accepts."""
    return {
        hit["_id"]: int(hit["_version"])
        for hit in helpers.scan(
            client,
            index=index,
            query={"version": True, "_source": False},
            size=5000,
            preserve_order=False,
        )
    }


def reconcile(client: OpenSearch, engine: Engine, names: IndexNames, repair: bool = True) -> Drift:
    index = current_index(client, names)
    client.indices.refresh(index=index)
    indexed = index_versions(client, index)
    missing: list[str] = []
    stale: dict[str, int] = {}  # reference -> the register's version
    with snapshot(engine) as connection:
        in_register = set()
        for reference, version in iter_versions(connection):
            in_register.add(reference)
            if reference not in indexed:
                missing.append(reference)
            elif indexed[reference] != version:
                stale[reference] = version
    extra = sorted(set(indexed) - in_register)
    ahead = sorted(r for r, version in stale.items() if indexed[r] > version)
    if repair and ahead:
        # External versions only move forward, so a document newer than the register (an
        # index kept across a register restore) cannot be set back in place.
        raise RegisterBehindIndex(
            f"{len(ahead)} nominal(s) are at a later version in the index than in the "
            f"register (e.g. {', '.join(ahead[:5])}): run `visor index rebuild`"
        )
    if repair:
        for batch in batched(sorted(missing) + sorted(stale) + extra, 500):
            _apply(client, engine, index, batch)
        client.indices.refresh(index=index)
    return Drift(sorted(missing), sorted(stale), extra, repair)
