"""`visor export`: write the register as a NIF bundle.

Photos are written back under the `file` each was imported with. Where that path is already
taken by a different picture (two bundles used one name), clashes with a folder, or names
the bundle's own files, the photo is written under `photos/sha256/<sha256><ext>` instead and
its `file` says so. The nominals are read from one snapshot of the register.
"""

import json
import os
import posixpath
import shutil
from pathlib import Path, PurePosixPath

from pydantic import BaseModel
from sqlalchemy import Engine

from foundation.errors import InvalidInput
from imaging.blobstore import BlobStore
from imaging.formats import EXTENSIONS
from register.database import snapshot, translated_errors
from register.model import NominalRecord, to_document
from register.nif_import import NOMINALS_FILE
from register.store import iter_records

PARTIAL_FILE = f".{NOMINALS_FILE}.partial"


class ExportSummary(BaseModel):
    out: str
    nominals: int = 0
    photos: int = 0
    renamed_photos: int = 0


def _prepare_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"export folder exists and is not empty: {out}")
    out.mkdir(parents=True, exist_ok=True)


def export_bundle(engine: Engine, blob_store: BlobStore, out: Path) -> ExportSummary:
    _prepare_out(out)
    summary = ExportSummary(out=str(out))
    temp_path = out / PARTIAL_FILE
    # Paths taken so far (normalised) -> the sha256 written there; the bundle's own files
    # are reserved so that no photo name can overwrite them.
    written: dict[str, str | None] = {NOMINALS_FILE: None, PARTIAL_FILE: None}
    with (
        translated_errors(),
        snapshot(engine) as connection,
        temp_path.open("w", encoding="utf-8") as target,
    ):
        for record in iter_records(connection):
            record = _write_photos(record, blob_store, out, written, summary)
            target.write(json.dumps(to_document(record), ensure_ascii=False) + "\n")
            summary.nominals += 1
        target.flush()
        os.fsync(target.fileno())
    # The bundle's nominals file appears only when complete.
    temp_path.replace(out / NOMINALS_FILE)
    return summary


def _write_photos(
    record: NominalRecord,
    blob_store: BlobStore,
    out: Path,
    written: dict[str, str | None],
    summary: ExportSummary,
) -> NominalRecord:
    if not record.photos:
        return record
    photos = []
    for photo in record.photos:
        sha256 = photo.sha256
        assert sha256 is not None  # the importer sets it on every stored photo
        if not _place(blob_store, out, photo.file, sha256, written, summary):
            extension = EXTENSIONS.get(blob_store.media_type(sha256) or "", "")
            file = f"photos/sha256/{sha256}{extension}"
            if not _place(blob_store, out, file, sha256, written, summary):
                raise InvalidInput(f"cannot write photo {sha256} under {photo.file} or {file}")
            photo = photo.model_copy(update={"file": file})
            summary.renamed_photos += 1
        photos.append(photo)
    return record.model_copy(update={"photos": photos})


def _place(
    blob_store: BlobStore,
    out: Path,
    file: str,
    sha256: str,
    written: dict[str, str | None],
    summary: ExportSummary,
) -> bool:
    """Write the blob at `file` unless that path holds, or clashes with, something else."""
    key = posixpath.normpath(file)
    if key in written:
        return written[key] == sha256
    target = out.joinpath(*PurePosixPath(key).parts)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # a folder made for another photo's path
            return False
        shutil.copyfile(blob_store.path_for(sha256), target)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        return False
    written[key] = sha256
    summary.photos += 1
    return True
