"""Reading and writing nominals in the register. Every write bumps the nominal's version,
records the change (who, when, which fields, the whole new record) and adds an outbox row for
the indexer, all in the caller's transaction."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from foundation.errors import Conflict, NotFound
from imaging.blobstore import StoredBlob
from register import tables
from register.model import NominalRecord, Status, to_document
from register.rows import CHILD_LISTS, assemble, child_rows, nominal_row


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Incoming:
    """A record to write, with where it came from."""

    record: NominalRecord
    import_line: int | None = None


@dataclass(frozen=True)
class Written:
    """What a write did to one record: the audit trail's before and after."""

    outcome: Outcome
    reference: str
    version: int
    changed_fields: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any]


@dataclass(frozen=True)
class ExistingNominal:
    id: int
    version: int
    last_import_run_id: int | None
    last_import_line: int | None


@dataclass(frozen=True)
class VersionEntry:
    version: int
    change: str
    changed_fields: list[str]
    actor: str
    reason: str | None
    changed_at: dt.datetime
    document: dict[str, Any]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def find_existing(connection: Connection, references: Iterable[str]) -> dict[str, ExistingNominal]:
    n = tables.nominals
    rows = connection.execute(
        select(
            n.c.reference, n.c.id, n.c.version, n.c.last_import_run_id, n.c.last_import_line
        ).where(n.c.reference.in_(list(references)))
    )
    return {row.reference: ExistingNominal(*row[1:]) for row in rows}


def version_of(connection: Connection, reference: str) -> int:
    existing = find_existing(connection, [reference]).get(reference)
    if existing is None:
        raise NotFound(f"no nominal with reference {reference!r}")
    return existing.version


def lock_version(connection: Connection, reference: str) -> int:
    """A nominal's current version, locked until the transaction ends, so that a check of the
    version and the write that follows cannot be overtaken by another writer. Call it first
    in the transaction."""
    n = tables.nominals
    if connection.dialect.name == "sqlite":
        # A write takes SQLite's one write lock (waiting busy_timeout for another writer);
        # reading first would risk a snapshot another writer has already moved past.
        connection.execute(update(n).where(n.c.reference == reference).values(version=n.c.version))
        found = select(n.c.version).where(n.c.reference == reference)
    else:
        found = select(n.c.version).where(n.c.reference == reference).with_for_update()
    version = connection.execute(found).scalar_one_or_none()
    if version is None:
        raise NotFound(f"no nominal {reference}")
    return int(version)


def load_records(connection: Connection, nominal_ids: Sequence[int]) -> dict[int, NominalRecord]:
    """The current records of these nominals, read with one query per table."""
    if not nominal_ids:
        return {}
    ids = list(nominal_ids)
    nominal_rows = connection.execute(
        select(tables.nominals).where(tables.nominals.c.id.in_(ids))
    ).mappings()
    children: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for child in CHILD_LISTS:
        table = child.table
        query = (
            select(table)
            .where(table.c.nominal_id.in_(ids))
            .order_by(table.c.nominal_id, table.c.position)
        )
        for row in connection.execute(query).mappings():
            children[row["nominal_id"]][child.field].append(row)
    return {row["id"]: assemble(row, children[row["id"]]) for row in nominal_rows}


def get_record(connection: Connection, reference: str) -> NominalRecord:
    existing = find_existing(connection, [reference]).get(reference)
    if existing is None:
        raise NotFound(f"no nominal with reference {reference!r}")
    return load_records(connection, [existing.id])[existing.id]


def iter_records(connection: Connection, chunk_size: int = 500) -> Iterator[NominalRecord]:
    """Every nominal in id order, read a chunk at a time so memory stays flat."""
    last_id = 0
    while True:
        ids = list(
            connection.scalars(
                select(tables.nominals.c.id)
                .where(tables.nominals.c.id > last_id)
                .order_by(tables.nominals.c.id)
                .limit(chunk_size)
            )
        )
        if not ids:
            return
        records = load_records(connection, ids)
        for nominal_id in ids:
            yield records[nominal_id]
        last_id = ids[-1]


def references_after(connection: Connection, after: str | None, limit: int) -> list[str]:
    """Up to `limit` references in order, each after `after`: a page that no insertion or
    deletion elsewhere can shift (keyset, not offset)."""
    n = tables.nominals
    query = select(n.c.reference).order_by(n.c.reference).limit(limit)
    if after is not None:
        query = query.where(n.c.reference > after)
    return list(connection.scalars(query))


def count_nominals(connection: Connection) -> int:
    return connection.scalar(select(func.count()).select_from(tables.nominals)) or 0


def store_blobs(connection: Connection, blobs: Iterable[StoredBlob]) -> None:
    """Record photo blobs not yet known to the register."""
    by_sha = {blob.sha256: blob for blob in blobs}
    if not by_sha:
        return
    known = set(
        connection.scalars(
            select(tables.photo_blobs.c.sha256).where(tables.photo_blobs.c.sha256.in_(by_sha))
        )
    )
    stored_at = now()
    new_rows = [
        {
            "sha256": b.sha256,
            "size_bytes": b.size_bytes,
            "media_type": b.media_type,
            "stored_at": stored_at,
        }
        for sha, b in by_sha.items()
        if sha not in known
    ]
    if new_rows:
        connection.execute(insert(tables.photo_blobs), new_rows)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _insert_children(connection: Connection, records: dict[int, NominalRecord]) -> None:
    batched: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for nominal_id, record in records.items():
        for table, rows in child_rows(record).items():
            batched[table].extend({**row, "nominal_id": nominal_id} for row in rows)
    for table, rows in batched.items():
        if rows:
            connection.execute(insert(table), rows)


def _record_versions(
    connection: Connection,
    entries: list[tuple[int, str, int, str, list[str], dict[str, Any]]],
    actor: str,
    reason: str | None,
    import_run_id: int | None,
    changed_at: dt.datetime,
) -> None:
    """Write version and outbox rows for (nominal_id, reference, version, change, fields, doc)."""
    if not entries:
        return
    connection.execute(
        insert(tables.nominal_versions),
        [
            {
                "nominal_id": nid,
                "version": version,
                "change": change,
                "changed_fields": fields,
                "document": document,
                "actor": actor,
                "reason": reason,
                "changed_at": changed_at,
                "import_run_id": import_run_id,
            }
            for nid, _ref, version, change, fields, document in entries
        ],
    )
    write_outbox(
        connection,
        [(nid, ref, version) for nid, ref, version, _change, _fields, _doc in entries],
        "upsert",
        changed_at,
    )


def write_outbox(
    connection: Connection,
    nominals: list[tuple[int, str, int]],
    event: str,
    changed_at: dt.datetime,
) -> None:
    """Outbox rows for (nominal_id, reference, version). On PostgreSQL the row's time is the
    database's clock at the insert, not the writer's: the indexer measures how long an id
    has been missing by it (see register/indexing.py), so it must not depend on a client's clock
    or on how long the transaction ran before this point."""
    statement = insert(tables.outbox)
    rows: list[dict[str, Any]] = [
        {"nominal_id": nid, "reference": ref, "version": version, "event": event}
        for nid, ref, version in nominals
    ]
    if connection.dialect.name == "postgresql":
        statement = statement.values(created_at=func.clock_timestamp())
    else:
        for row in rows:
            row["created_at"] = changed_at
    if rows:
        connection.execute(statement, rows)


def _keep_register_status(item: Incoming, stored: NominalRecord) -> Incoming:
    """A source that does not state `status` leaves the register's own: re-importing a bundle
    must not quietly undo an archive made in the register, with its recorded reason."""
    if "status" in item.record.model_fields_set or stored.status == item.record.status:
        return item
    return Incoming(item.record.model_copy(update={"status": stored.status}), item.import_line)


def write_records(
    connection: Connection,
    incoming: Sequence[Incoming],
    actor: str,
    import_run_id: int | None = None,
    reason: str | None = None,
) -> list[Written]:
    """Create or update nominals by reference, in the caller's transaction.

    A record equal to the stored one is left alone (no new version): re-importing a bundle
    changes nothing. References must be unique within `incoming`.
    """
    references = [item.record.reference for item in incoming]
    if len(set(references)) != len(references):
        raise Conflict("a reference appears twice in one write")
    existing = find_existing(connection, references)
    current = load_records(connection, [e.id for e in existing.values()])
    changed_at = now()
    outcomes: list[Written] = []
    to_create: list[Incoming] = []
    to_update: dict[int, tuple[Incoming, ExistingNominal, list[str]]] = {}
    confirmed: list[dict[str, Any]] = []
    for item in incoming:
        reference = item.record.reference
        found = existing.get(reference)
        if found is None:
            to_create.append(item)
            document = to_document(item.record)
            outcomes.append(
                Written(Outcome.CREATED, reference, 1, sorted(document), None, document)
            )
            continue
        item = _keep_register_status(item, current[found.id])
        before, after = to_document(current[found.id]), to_document(item.record)
        fields = changed_fields(before, after)
        if fields:
            to_update[found.id] = (item, found, fields)
            outcomes.append(
                Written(Outcome.UPDATED, reference, found.version + 1, fields, before, after)
            )
        else:
            confirmed.append({"b_id": found.id, "b_line": item.import_line})
            outcomes.append(Written(Outcome.UNCHANGED, reference, found.version, [], before, after))

    n = tables.nominals
    bookkeeping = {"last_import_run_id": import_run_id, "updated_at": changed_at}
    versions: list[tuple[int, str, int, str, list[str], dict[str, Any]]] = []
    if to_create:
        connection.execute(
            insert(n),
            [
                {
                    **nominal_row(item.record),
                    **bookkeeping,
                    "version": 1,
                    "created_at": changed_at,
                    "last_import_line": item.import_line,
                }
                for item in to_create
            ],
        )
        # Read the new ids back by reference rather than with INSERT ... RETURNING, which
        # SQLAlchemy must then send as parameter-ordered pages: slower on PostgreSQL.
        new_ids = find_existing(connection, [item.record.reference for item in to_create])
        created_ids = [new_ids[item.record.reference].id for item in to_create]
        _insert_children(
            connection, {nid: item.record for nid, item in zip(created_ids, to_create, strict=True)}
        )
        for nid, item in zip(created_ids, to_create, strict=True):
            document = to_document(item.record)
            versions.append((nid, item.record.reference, 1, "create", sorted(document), document))
    if to_update:
        ids = list(to_update)
        for child in CHILD_LISTS:
            connection.execute(delete(child.table).where(child.table.c.nominal_id.in_(ids)))
        for nid, (item, found, fields) in to_update.items():
            connection.execute(
                update(n).where(n.c.id == nid),
                {
                    **nominal_row(item.record),
                    **bookkeeping,
                    "version": found.version + 1,
                    "last_import_line": item.import_line,
                },
            )
            document = to_document(item.record)
            versions.append(
                (nid, item.record.reference, found.version + 1, "update", fields, document)
            )
        _insert_children(connection, {nid: entry[0].record for nid, entry in to_update.items()})
    if confirmed and import_run_id is not None:
        connection.execute(
            update(n)
            .where(n.c.id == bindparam("b_id"))
            .values(last_import_run_id=import_run_id, last_import_line=bindparam("b_line")),
            confirmed,
        )
    _record_versions(connection, versions, actor, reason, import_run_id, changed_at)
    return outcomes


def set_status(
    connection: Connection, reference: str, status: Status, actor: str, reason: str
) -> NominalRecord:
    """Archive or restore a nominal: a versioned change like any other, with a reason."""
    if not reason.strip():
        raise Conflict("archiving or restoring a nominal needs a reason")
    record = get_record(connection, reference)
    if record.status == status:
        raise Conflict(f"nominal {reference!r} is already {status}")
    changed = record.model_copy(update={"status": status})
    change = "archive" if status == "archived" else "restore"
    existing = find_existing(connection, [reference])[reference]
    n = tables.nominals
    changed_at = now()
    connection.execute(
        update(n)
        .where(n.c.id == existing.id)
        .values(status=status, version=existing.version + 1, updated_at=changed_at)
    )
    _record_versions(
        connection,
        [(existing.id, reference, existing.version + 1, change, ["status"], to_document(changed))],
        actor,
        reason,
        None,
        changed_at,
    )
    return changed


def history(connection: Connection, reference: str) -> list[VersionEntry]:
    """Every version of a nominal, oldest first."""
    existing = find_existing(connection, [reference]).get(reference)
    if existing is None:
        raise NotFound(f"no nominal with reference {reference!r}")
    v = tables.nominal_versions
    rows = connection.execute(
        select(v).where(v.c.nominal_id == existing.id).order_by(v.c.version)
    ).mappings()
    return [
        VersionEntry(
            version=row["version"],
            change=row["change"],
            changed_fields=row["changed_fields"],
            actor=row["actor"],
            reason=row["reason"],
            # SQLite keeps no zone; every time the register writes is UTC.
            changed_at=row["changed_at"].replace(tzinfo=row["changed_at"].tzinfo or dt.UTC),
            document=row["document"],
        )
        for row in rows
    ]
