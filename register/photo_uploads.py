"""One photo added to a nominal, as the web page's upload does it: the change authorized
before any work, the photo analysed in the worker pool as an import's would be (a hostile
file costs a worker, never the register), kept in the blob store, and the nominal replaced
with the photo added, version-checked and audited in the one transaction of the change."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from foundation.errors import InvalidInput
from imaging.analysis import PhotoAnalysis
from imaging.blobstore import BlobStore, PhotoRejected
from imaging.pool import PoolLimits
from register import changes, store
from register.audit import Auditor
from register.model import Photo, PhotoKind
from register.permissions import authorize_change
from register.photo_ingest import PhotoIngester, PhotoRequest
from register.photos import store_analyses
from register.store import Written


@dataclass(frozen=True)
class AddedPhoto:
    written: Written
    sha256: str
    analysis: PhotoAnalysis | None  # None when the register had analysed this content before


def add_photo(
    engine: Engine,
    auditor: Auditor,
    blob_store: BlobStore,
    limits: PoolLimits,
    reference: str,
    source: Path,
    kind: PhotoKind,
    taken_on: dt.date | None,
    expected_version: int,
) -> AddedPhoto:
    """Add the photo at `source` to `reference` if it is still at `expected_version`."""
    with engine.connect() as connection:
        authorize_change(auditor.principal, store.get_record(connection, reference))
    ingester = PhotoIngester(blob_store, limits)
    try:
        with engine.connect() as connection:
            (outcome,) = ingester.ingest(
                connection, [PhotoRequest(source, None, find_faces=kind == "face")]
            )
    finally:
        ingester.close()
    if outcome.refused is not None or outcome.blob is None:
        raise PhotoRejected(outcome.refused or "the photo was not accepted")
    sha256 = outcome.blob.sha256
    with engine.begin() as connection:
        record = store.get_record(connection, reference)
        if any(photo.sha256 == sha256 for photo in record.photos):
            raise InvalidInput(f"{reference} already holds this photo")
        store.store_blobs(connection, [outcome.blob])
        if outcome.analysis is not None:
            store_analyses(connection, [outcome.analysis])
        photo = Photo(file=f"uploads/{sha256}", kind=kind, taken_on=taken_on, sha256=sha256)
        updated = record.model_copy(update={"photos": [*record.photos, photo]})
        written = changes.replace(
            connection, auditor, updated, expected_version, reason=f"{kind} photo added"
        )
    return AddedPhoto(written, sha256, outcome.analysis)
