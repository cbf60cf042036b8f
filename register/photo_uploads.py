"""A photo added to a nominal one at a time (the API's upload), through the same pipeline as
an import (register/photo_ingest.py: decoded and analysed in the worker pool, kept by
SHA-256), and the photos a nominal holds, read back for a person.

Adding a photo is a change of the nominal (its `photos` list, a new version), authorized
against the register and recorded in the audit trail in the change's own transaction. The
photo is authorized first, before any file is stored, and again under the nominal's lock,
since its agencies may have changed while the photo was being analysed.
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from sqlalchemy import Connection, Engine, select

from foundation.errors import Conflict, InvalidInput, NotFound, StaleVersion
from imaging.analysis import THUMBNAIL
from imaging.blobstore import BlobStore, PhotoRejected
from imaging.formats import EXTENSIONS
from register import store, tables
from register.audit import AuditEvent, Auditor
from register.changes import change_event
from register.model import Photo, PhotoKind
from register.permissions import authorize_change, authorize_read, authorize_view
from register.photo_ingest import PhotoOutcome, PhotoRequest
from register.photos import store_analyses
from register.plausibility import date_problem
from register.store import Incoming

# A photo's id is its content's SHA-256: nothing else reaches the store's paths.
PHOTO_ID = re.compile(r"[0-9a-f]{64}")


class Ingests(Protocol):
    """What analyses and stores photos: a PhotoIngester, or the API's shared one."""

    def ingest(
        self, connection: Connection, requests: Sequence[PhotoRequest]
    ) -> list[PhotoOutcome]: ...


@dataclass(frozen=True)
class NewPhoto:
    kind: PhotoKind
    taken_on: dt.date | None = None
    mark_index: int | None = None


@dataclass(frozen=True)
class HeldPhoto:
    """A photo as the register holds it: which nominals hold it and what it is."""

    sha256: str
    media_type: str
    size_bytes: int
    references: list[str]
    kind: str
    taken_on: dt.date | None
    analysis: dict[str, Any] | None


def check_photo_id(photo_id: str) -> str:
    if not PHOTO_ID.fullmatch(photo_id):
        raise NotFound("no such photo: a photo id is the 64 hex digits of its SHA-256")
    return photo_id


def add_photo(
    engine: Engine,
    auditor: Auditor,
    ingester: Ingests,
    reference: str,
    upload: Path,
    new: NewPhoto,
    expected_version: int | None = None,
) -> HeldPhoto:
    """Analyse the photo at `upload` and add it to the nominal; raises PhotoRejected with
    the pipeline's reason when it is not accepted."""
    if new.taken_on is not None and (problem := date_problem(new.taken_on, dt.date.today())):
        raise InvalidInput(f"taken_on: {problem}")
    with engine.connect() as connection:
        authorize_change(auditor.principal, store.get_record(connection, reference))
    with engine.connect() as connection:
        find_faces = new.kind == "face"
        outcome = ingester.ingest(connection, [PhotoRequest(upload, None, find_faces)])[0]
    if outcome.refused is not None or outcome.blob is None:
        raise PhotoRejected(outcome.refused or "not accepted")
    blob = outcome.blob
    with engine.begin() as connection:
        version = store.lock_version(connection, reference)
        if expected_version is not None and version != expected_version:
            # An edit form's upload made against a page of an older version: say so.
            raise StaleVersion(reference, expected_version, version)
        record = store.get_record(connection, reference)
        authorize_change(auditor.principal, record)
        if new.mark_index is not None and not 0 <= new.mark_index < len(record.marks):
            raise InvalidInput(
                f"mark_index {new.mark_index} names no mark ({reference} has {len(record.marks)})"
            )
        if any(photo.sha256 == blob.sha256 for photo in record.photos):
            raise Conflict(f"{reference} already holds this photo ({blob.sha256})")
        store.store_blobs(connection, [blob])
        if outcome.analysis is not None:
            store_analyses(connection, [outcome.analysis])
        photo = Photo(
            file=f"photos/sha256/{blob.sha256}{EXTENSIONS.get(blob.media_type, '')}",
            kind=new.kind,
            taken_on=new.taken_on,
            sha256=blob.sha256,
            mark_index=new.mark_index,
        )
        changed = record.model_copy(update={"photos": [*record.photos, photo]})
        written = store.write_records(
            connection, [Incoming(changed)], actor=auditor.principal.username, reason="photo added"
        )[0]
        auditor.record(connection, change_event(written, photo=blob.sha256))
        return _held(connection, blob.sha256, reference)


def _held(connection: Connection, sha256: str, reference: str | None = None) -> HeldPhoto:
    p, n, b, a = tables.photos, tables.nominals, tables.photo_blobs, tables.photo_analyses
    holders = connection.execute(
        select(n.c.reference, p.c.kind, p.c.taken_on)
        .join(p, p.c.nominal_id == n.c.id)
        .where(p.c.sha256 == sha256)
        .order_by(n.c.reference, p.c.position)
    ).all()
    blob = connection.execute(select(b).where(b.c.sha256 == sha256)).one_or_none()
    if not holders or blob is None:
        raise NotFound(f"no photo {sha256} on any nominal")
    # Kind and date as the nominal named (or, else, the first holder) recorded them.
    chosen = next((h for h in holders if h.reference == reference), holders[0])
    analysis = connection.execute(select(a).where(a.c.sha256 == sha256)).mappings().one_or_none()
    return HeldPhoto(
        sha256=sha256,
        media_type=blob.media_type,
        size_bytes=blob.size_bytes,
        references=sorted({h.reference for h in holders}),
        kind=chosen.kind,
        taken_on=chosen.taken_on,
        analysis=dict(analysis) if analysis is not None else None,
    )


def view_photo(
    connection: Connection, auditor: Auditor, photo_id: str, purpose: str | None, what: str
) -> HeldPhoto:
    """A photo held by at least one nominal the principal may view, recorded as a view of
    each nominal holding it (`what`: metadata, original or thumbnail)."""
    # The role first: whether a photo exists is no answer for someone who may not look.
    authorize_read(auditor.principal, f"photo {photo_id}")
    held = _held(connection, check_photo_id(photo_id))
    for reference in held.references:
        authorize_view(auditor.principal, store.get_record(connection, reference))
    auditor.record(
        connection,
        AuditEvent(
            "photo.view",
            target=held.sha256,
            purpose=purpose,
            references=held.references,
            details={"part": what},
        ),
    )
    return held


def photo_file(photos: BlobStore, held: HeldPhoto, part: Literal["original", "thumbnail"]) -> Path:
    """The file behind a photo's original or thumbnail: only ever a path the store makes
    from a SHA-256 the register holds."""
    sha256 = check_photo_id(held.sha256)
    if part == "original":
        path = photos.path_for(sha256)
    else:
        path = photos.derivative_path(sha256, THUMBNAIL)
    if not path.is_file():
        raise NotFound(f"photo {sha256}: its {part} is missing from the photo store")
    return path
