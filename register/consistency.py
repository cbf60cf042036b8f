"""Whether the register is whole: nothing half-written, whatever stopped a writer.

Every change writes its record, its version row, its outbox row and its audit entry in one
transaction (register/changes.py), and files (photos, documents) are stored before the
commit that names them. This reads one snapshot and checks that each of those promises
holds for every nominal, so that a crash, a bad restore or a bug that broke one shows up
by name. The audit chain itself is verified by register/audit.py; run both.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, func, select

from imaging.blobstore import BlobStore
from register import tables
from register.changes import VERSION_ACTIONS
from register.model import to_document
from register.store import load_records

MAX_PROBLEMS = 100  # named in the report; the rest are counted
CHUNK = 500


@dataclass
class ConsistencyReport:
    nominals: int = 0
    versions: int = 0
    photos: int = 0
    documents: int = 0
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    @property
    def consistent(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def check_register(
    connection: Connection, photo_store: BlobStore, document_store: BlobStore
) -> ConsistencyReport:
    """Check, in the caller's snapshot, that every nominal is whole: its version history
    runs 1..version, its newest version row is the record as stored (children and all),
    each version has its outbox row and its audit entry, and every photo and document it
    names is in its store."""
    report = ConsistencyReport()
    _check_histories(connection, report)
    _check_records(connection, report)
    _check_outbox(connection, report)
    _check_audit(connection, report)
    _check_files(connection, photo_store, document_store, report)
    return report


def _check_histories(connection: Connection, report: ConsistencyReport) -> None:
    n, v = tables.nominals, tables.nominal_versions
    rows = connection.execute(
        select(
            n.c.reference,
            n.c.version,
            func.count(v.c.id).label("rows"),
            func.min(v.c.version).label("first"),
            func.max(v.c.version).label("last"),
        )
        .select_from(n.outerjoin(v, v.c.nominal_id == n.c.id))
        .group_by(n.c.id, n.c.reference, n.c.version)
    )
    for row in rows:
        report.nominals += 1
        report.versions += row.rows
        if (row.rows, row.first, row.last) != (row.version, 1, row.version):
            report.add(
                f"{row.reference}: at version {row.version} but its history holds "
                f"{row.rows} version(s), {row.first}..{row.last}"
            )


def _id_chunks(connection: Connection) -> Iterator[list[int]]:
    n = tables.nominals
    last = 0
    while ids := list(
        connection.scalars(select(n.c.id).where(n.c.id > last).order_by(n.c.id).limit(CHUNK))
    ):
        yield ids
        last = ids[-1]


def _check_records(connection: Connection, report: ConsistencyReport) -> None:
    """The newest version row holds the whole record: a record missing a child (a name, a
    mark) or holding one twice differs from it."""
    n, v = tables.nominals, tables.nominal_versions
    for ids in _id_chunks(connection):
        records = load_records(connection, ids)
        newest = connection.execute(
            select(v.c.nominal_id, v.c.document)
            .join(n, and_(n.c.id == v.c.nominal_id, n.c.version == v.c.version))
            .where(v.c.nominal_id.in_(ids))
        )
        documents = {row.nominal_id: row.document for row in newest}
        for nominal_id, record in records.items():
            stored = documents.get(nominal_id)
            if stored is None:
                continue  # no row at its version: _check_histories has named it
            if _canonical(to_document(record)) != _canonical(stored):
                report.add(f"{record.reference}: the stored record is not its newest version's")


def _canonical(document: object) -> str:
    return json.dumps(document, sort_keys=True, default=str)


def _check_outbox(connection: Connection, report: ConsistencyReport) -> None:
    n, v, o = tables.nominals, tables.nominal_versions, tables.outbox
    missing = connection.execute(
        select(n.c.reference, v.c.version)
        .join(n, n.c.id == v.c.nominal_id)
        .outerjoin(o, and_(o.c.nominal_id == v.c.nominal_id, o.c.version == v.c.version))
        .where(o.c.id.is_(None))
        .order_by(n.c.reference, v.c.version)
    )
    for row in missing:
        report.add(f"{row.reference} version {row.version}: no outbox row (the index misses it)")


def _check_audit(connection: Connection, report: ConsistencyReport) -> None:
    """Each version has the audit entry of the change that made it."""
    a = tables.audit_entries
    audited: set[tuple[str, int]] = set()
    entries = connection.execute(
        select(a.c.target, a.c.details).where(a.c.action.in_(VERSION_ACTIONS))
    ).yield_per(5000)
    for target, details in entries:
        version = json.loads(details).get("version")
        if isinstance(version, int):
            audited.add((target, version))
    n, v = tables.nominals, tables.nominal_versions
    versions = connection.execute(
        select(n.c.reference, v.c.version)
        .join(n, n.c.id == v.c.nominal_id)
        .order_by(n.c.reference, v.c.version)
    ).yield_per(5000)
    for reference, version in versions:
        if (reference, version) not in audited:
            report.add(f"{reference} version {version}: no audit entry records the change")


def _check_files(
    connection: Connection,
    photo_store: BlobStore,
    document_store: BlobStore,
    report: ConsistencyReport,
) -> None:
    p, b, d, n = tables.photos, tables.photo_blobs, tables.documents, tables.nominals
    photos = connection.execute(
        select(n.c.reference, p.c.sha256, b.c.size_bytes)
        .join(n, n.c.id == p.c.nominal_id)
        .outerjoin(b, b.c.sha256 == p.c.sha256)
    )
    for reference, sha256, size in photos:
        report.photos += 1
        _check_file(report, photo_store, f"{reference}: photo", sha256, size)
    documents = connection.execute(
        select(n.c.reference, d.c.id, d.c.sha256, d.c.size_bytes).join(n, n.c.id == d.c.nominal_id)
    )
    for reference, document_id, sha256, size in documents:
        report.documents += 1
        _check_file(report, document_store, f"{reference}: document {document_id}", sha256, size)


def _check_file(
    report: ConsistencyReport, files: BlobStore, what: str, sha256: str, size: int | None
) -> None:
    if size is None:
        report.add(f"{what} {sha256}: no row says what the file is")
        return
    path = files.path_for(sha256)
    try:
        on_disk = path.stat().st_size
    except FileNotFoundError:
        report.add(f"{what} {sha256}: the file is missing from {files.root}")
        return
    if on_disk != size:
        report.add(f"{what} {sha256}: {on_disk} bytes on disk, {size} recorded")
