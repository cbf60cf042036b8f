"""What the search indexer reads from the register: current records with their versions and
photo hashes, the outbox past a position, and (reference, version) pairs for reconciling."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from register import tables
from register.model import NominalRecord
from register.photos import PhotoHashRow, photo_hash_query, photo_hash_row
from register.store import load_records


@dataclass(frozen=True)
class IndexableNominal:
    record: NominalRecord
    version: int
    photos: tuple[PhotoHashRow, ...]


@dataclass(frozen=True)
class OutboxEvent:
    id: int
    reference: str
    version: int
    created_at: dt.datetime


def outbox_position(connection: Connection) -> int:
    """The id of the newest outbox event (0 when there is none)."""
    return int(connection.scalar(select(func.max(tables.outbox.c.id))) or 0)


def database_now(connection: Connection) -> dt.datetime:
    """The time by the clock that stamps outbox rows (see store.write_outbox)."""
    if connection.dialect.name == "postgresql":
        moment = connection.scalar(select(func.clock_timestamp()))
        assert isinstance(moment, dt.datetime)
        return _aware(moment)
    return dt.datetime.now(dt.UTC)


def outbox_events_after(connection: Connection, position: int, limit: int) -> list[OutboxEvent]:
    o = tables.outbox
    rows = connection.execute(
        select(o.c.id, o.c.reference, o.c.version, o.c.created_at)
        .where(o.c.id > position)
        .order_by(o.c.id)
        .limit(limit)
    )
    return [OutboxEvent(row.id, row.reference, row.version, _aware(row.created_at)) for row in rows]


def count_events_after(connection: Connection, position: int) -> int:
    o = tables.outbox
    return int(connection.scalar(select(func.count()).where(o.c.id > position)) or 0)


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; every time the register writes is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _photo_hashes(
    connection: Connection, nominal_ids: Sequence[int]
) -> dict[int, list[PhotoHashRow]]:
    found: dict[int, list[PhotoHashRow]] = defaultdict(list)
    for row in connection.execute(photo_hash_query(nominal_ids)):
        found[row.id].append(photo_hash_row(row))
    return found


def _indexable(connection: Connection, nominal_ids: Sequence[int]) -> list[IndexableNominal]:
    n = tables.nominals
    versions = dict(
        connection.execute(select(n.c.id, n.c.version).where(n.c.id.in_(list(nominal_ids)))).all()
    )
    records = load_records(connection, nominal_ids)
    photos = _photo_hashes(connection, nominal_ids)
    return [
        IndexableNominal(records[i], versions[i], tuple(photos.get(i, ())))
        for i in nominal_ids
        if i in records
    ]


def iter_indexable(connection: Connection, chunk_size: int = 500) -> Iterator[IndexableNominal]:
    """Every nominal in id order, a chunk at a time so memory stays flat."""
    n = tables.nominals
    last_id = 0
    while True:
        ids = list(
            connection.scalars(
                select(n.c.id).where(n.c.id > last_id).order_by(n.c.id).limit(chunk_size)
            )
        )
        if not ids:
            return
        yield from _indexable(connection, ids)
        last_id = ids[-1]


def load_indexable(connection: Connection, references: Sequence[str]) -> list[IndexableNominal]:
    """The current state of these nominals; a reference no longer in the register is left
    out (the indexer deletes it)."""
    n = tables.nominals
    ids = list(connection.scalars(select(n.c.id).where(n.c.reference.in_(list(references)))))
    return _indexable(connection, ids)


def iter_versions(connection: Connection) -> Iterator[tuple[str, int]]:
    """(reference, version) of every nominal, for comparing the register with an index."""
    n = tables.nominals
    yield from (
        (row.reference, row.version)
        for row in connection.execute(select(n.c.reference, n.c.version)).yield_per(10_000)
    )
