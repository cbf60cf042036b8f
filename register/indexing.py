"""What the search indexes read from the register: current records with their versions and
photo hashes, the outbox past a position, and (reference, version) pairs for reconciling.

Both indexes (OpenSearch's sync and the embedded one) follow the outbox by one rule for gaps
in its ids, `settled_events`: an id below a later one may still be in a transaction that has
not committed (ids are taken at insert, not at commit).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from register import tables
from register.model import NominalRecord
from register.photos import PhotoHashRow, photo_hash_query, photo_hash_row
from register.store import load_records

# Past a gap in outbox ids, a reader waits until the row after it is this old, by the
# database's clock at its insert, before deciding the missing id was rolled back. Outbox rows
# are inserted at the end of a write, just before its commit, so 30 s is a wide margin.
GAP_GRACE = dt.timedelta(seconds=30)
RECENT_EVENTS = 10_000  # how far back a snapshot looks for ids still in flight


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


def settled_events(events: list[OutboxEvent], position: int, now: dt.datetime) -> list[OutboxEvent]:
    """Of `events` (in id order, all past `position`), those up to the first gap in ids, unless
    whatever follows the gap is old enough that the missing id must have been rolled back."""
    expected = position + 1
    for i, event in enumerate(events):
        if event.id != expected and now - event.created_at < GAP_GRACE:
            return events[:i]
        expected = event.id + 1
    return events


@dataclass(frozen=True)
class OutboxCursor:
    """How far a reader of the outbox has got. Every id up to `position` is applied or will
    never commit; `beyond` holds the ids past it, seen after a gap, already applied too."""

    position: int
    beyond: frozenset[int] = frozenset()


@dataclass(frozen=True)
class OutboxRead:
    new: list[OutboxEvent]  # past the cursor and not yet applied, in id order
    cursor: OutboxCursor  # where the reader stands once `new` is applied
    complete: bool  # False: more than the limit waited, and only `limit` were read


def _advanced(events: list[OutboxEvent], position: int, now: dt.datetime) -> OutboxCursor:
    settled = settled_events(events, position, now)
    moved = settled[-1].id if settled else position
    return OutboxCursor(moved, frozenset(e.id for e in events if e.id > moved))


def snapshot_cursor(connection: Connection) -> OutboxCursor:
    """Where a reader stands that has applied everything this connection's snapshot holds."""
    latest = outbox_position(connection)
    start = max(0, latest - RECENT_EVENTS)
    recent = outbox_events_after(connection, start, RECENT_EVENTS)
    if not recent:
        return OutboxCursor(start)
    return _advanced(recent, start, database_now(connection))


def settled_position(connection: Connection) -> int:
    """The outbox position a snapshot can claim to include: the newest id, unless a recent
    id below it is missing (its transaction may still commit, after the snapshot)."""
    return snapshot_cursor(connection).position


def read_outbox(connection: Connection, cursor: OutboxCursor, limit: int) -> OutboxRead:
    """The events past `cursor` not applied yet, and where the cursor moves once they are."""
    events = outbox_events_after(connection, cursor.position, limit)
    if not events:
        return OutboxRead([], cursor, True)
    new = [e for e in events if e.id not in cursor.beyond]
    moved = _advanced(events, cursor.position, database_now(connection))
    return OutboxRead(new, moved, len(events) < limit)


def outbox_moved(connection: Connection, cursor: OutboxCursor, limit: int) -> bool:
    """Whether the outbox holds anything past `cursor` (or is behind it: a register restored
    from a backup): one look at its newest id, the usual answer, unless the cursor waits at
    a gap, when the events past it are read."""
    latest = outbox_position(connection)
    if latest <= cursor.position or not cursor.beyond:
        return latest != cursor.position
    read = read_outbox(connection, cursor, limit)
    return bool(read.new) or read.cursor != cursor or not read.complete


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


def _nominal_ids(connection: Connection, references: Sequence[str]) -> list[int]:
    n = tables.nominals
    return list(connection.scalars(select(n.c.id).where(n.c.reference.in_(list(references)))))


def load_indexable(connection: Connection, references: Sequence[str]) -> list[IndexableNominal]:
    """The current state of these nominals; a reference no longer in the register is left
    out (the indexer deletes it)."""
    return _indexable(connection, _nominal_ids(connection, references))


def load_current_records(connection: Connection, references: Sequence[str]) -> list[NominalRecord]:
    """The current records of these nominals, without photos; a reference no longer in the
    register is left out."""
    return list(load_records(connection, _nominal_ids(connection, references)).values())


def iter_versions(connection: Connection) -> Iterator[tuple[str, int]]:
    """(reference, version) of every nominal, for comparing the register with an index."""
    n = tables.nominals
    yield from (
        (row.reference, row.version)
        for row in connection.execute(select(n.c.reference, n.c.version)).yield_per(10_000)
    )
