"""Documents attached to a nominal (risk assessments, risk management plans, MAPPA minutes):
added by its managing and partner agencies, seen by the roles the restriction policy allows,
each access recorded in the audit trail in its own transaction.

The content is checked first (register/document_content.py: what it is, by content alone),
then kept by SHA-256 in the document store, then named by a row; a document refused leaves
nothing behind.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, Row, Select, insert, select

from foundation.errors import InvalidInput, NotFound
from imaging.blobstore import BlobStore
from register import store, tables
from register.audit import AuditEvent, Auditor
from register.document_content import (
    EXTENSIONS,
    MEDIA_TYPES,
    DocumentFormat,
    check_document,
)
from register.permissions import (
    RestrictionPolicy,
    authorize_change,
    authorize_read,
    authorize_restricted,
)
from register.plausibility import date_problem
from register.store import now

# The audit action of a document added (a contribution, for the compliance audit).
DOCUMENT_ADDED = "document.add"

DocumentKind = Literal["risk_assessment", "risk_management_plan", "mappa_minutes", "other"]
DOCUMENTS = "documents"  # the restricted field's name


@dataclass(frozen=True)
class NewDocument:
    kind: DocumentKind
    title: str
    author: str
    document_date: dt.date


@dataclass(frozen=True)
class StoredDocument:
    id: int
    reference: str
    kind: str
    title: str
    author: str
    document_date: dt.date
    format: DocumentFormat
    sha256: str
    size_bytes: int
    uploaded_by: str
    agency: str | None
    uploaded_at: dt.datetime

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def file_name(self) -> str:
        """A safe ASCII name for a download: made here, never taken from the sender."""
        return f"document-{self.id}{EXTENSIONS[self.format]}"


def _check_metadata(new: NewDocument) -> NewDocument:
    title, author = new.title.strip(), new.author.strip()
    for name, value in (("title", title), ("author", author)):
        if not value:
            raise InvalidInput(f"{name}: say what it is (not empty)")
        if len(value) > 200:
            raise InvalidInput(f"{name}: at most 200 characters")
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
            raise InvalidInput(f"{name}: control characters are not allowed")
    if problem := date_problem(new.document_date, dt.date.today()):
        raise InvalidInput(f"document_date: {problem}")
    return NewDocument(new.kind, title, author, new.document_date)


def _sha256(path: Path) -> str:
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def add_document(
    engine: Engine,
    auditor: Auditor,
    documents: BlobStore,
    reference: str,
    upload: Path,
    new: NewDocument,
) -> StoredDocument:
    """Check and keep the document at `upload` as one of the nominal's; DocumentRejected
    (a 422) says why one is refused."""
    new = _check_metadata(new)
    with engine.connect() as connection:
        authorize_change(auditor.principal, store.get_record(connection, reference))
    checked = check_document(upload)
    sha256 = _sha256(upload)
    documents.put_checked(upload, sha256)
    d = tables.documents
    with engine.begin() as connection:
        record = store.get_record(connection, reference)
        authorize_change(auditor.principal, record)
        nominal_id = store.find_existing(connection, [reference])[reference].id
        document_id = connection.execute(
            insert(d).returning(d.c.id),
            {
                "nominal_id": nominal_id,
                "kind": new.kind,
                "title": new.title,
                "author": new.author,
                "document_date": new.document_date,
                "format": checked.format,
                "sha256": sha256,
                "size_bytes": upload.stat().st_size,
                "uploaded_by": auditor.principal.username,
                "agency": auditor.principal.agency,
                "uploaded_at": now(),
            },
        ).scalar_one()
        auditor.record(
            connection,
            AuditEvent(
                DOCUMENT_ADDED,
                target=reference,
                references=[reference],
                details={
                    "document": document_id,
                    "kind": new.kind,
                    "title": new.title,
                    "format": checked.format,
                    "sha256": sha256,
                },
            ),
        )
        return _document(connection, document_id)


def _query() -> Select[Any]:
    d, n = tables.documents, tables.nominals
    return select(d, n.c.reference).join(n, n.c.id == d.c.nominal_id)


def _stored(row: Row[Any]) -> StoredDocument:
    # SQLite keeps no zone; every time the register writes is UTC.
    at = row.uploaded_at.replace(tzinfo=row.uploaded_at.tzinfo or dt.UTC)
    return StoredDocument(
        id=row.id,
        reference=row.reference,
        kind=row.kind,
        title=row.title,
        author=row.author,
        document_date=row.document_date,
        format=row.format,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        uploaded_by=row.uploaded_by,
        agency=row.agency,
        uploaded_at=at,
    )


def _document(connection: Connection, document_id: int) -> StoredDocument:
    row = connection.execute(_query().where(tables.documents.c.id == document_id)).one_or_none()
    if row is None:
        raise NotFound(f"no document {document_id}")
    return _stored(row)


def list_documents(
    connection: Connection,
    auditor: Auditor,
    reference: str,
    purpose: str | None,
    policy: RestrictionPolicy,
) -> list[StoredDocument]:
    """The nominal's documents, newest first by their date, recorded as a view."""
    record = store.get_record(connection, reference)
    authorize_restricted(auditor.principal, record, policy, DOCUMENTS)
    d = tables.documents
    rows = connection.execute(
        _query()
        .where(tables.nominals.c.reference == reference)
        .order_by(d.c.document_date.desc(), d.c.id.desc())
    )
    found = [_stored(row) for row in rows]
    auditor.record(
        connection,
        AuditEvent(
            "document.list",
            target=reference,
            purpose=purpose,
            references=[reference],
            details={"documents": [document.id for document in found]},
        ),
    )
    return found


def view_document(
    connection: Connection,
    auditor: Auditor,
    document_id: int,
    purpose: str | None,
    policy: RestrictionPolicy,
    part: Literal["metadata", "content"],
) -> StoredDocument:
    """One document's metadata or content, recorded as a view (a download is a view of the
    content) of the nominal it is attached to."""
    authorize_read(auditor.principal, f"document {document_id}")
    document = _document(connection, document_id)
    record = store.get_record(connection, document.reference)
    authorize_restricted(auditor.principal, record, policy, DOCUMENTS)
    auditor.record(
        connection,
        AuditEvent(
            "document.view" if part == "metadata" else "document.download",
            target=document.reference,
            purpose=purpose,
            references=[document.reference],
            details={"document": document.id, "sha256": document.sha256},
        ),
    )
    return document


def document_file(documents: BlobStore, document: StoredDocument) -> Path:
    path = documents.path_for(document.sha256)
    if not path.is_file():
        raise NotFound(f"document {document.id}: its content is missing from the store")
    return path
