"""`visor export`: write the register as a NIF bundle.

Photos are written back under the `file` each was imported with. Two nominals may have been
imported from different bundles with the same `file` but different pictures; the second is
then written under `photos/sha256/<sha256><ext>` and its `file` says so.
"""

import json
import os
import shutil
from pathlib import Path, PurePosixPath

from pydantic import BaseModel
from sqlalchemy import Engine

from imaging.blobstore import BlobStore
from imaging.formats import EXTENSIONS
from register.model import NominalRecord, to_document
from register.nif_import import NOMINALS_FILE
from register.store import iter_records
from visor.errors import InvalidInput


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
    written: dict[str, str] = {}  # file -> sha256 already written there
    temp_path = out / f".{NOMINALS_FILE}.partial"
    with engine.connect() as connection, temp_path.open("w", encoding="utf-8") as target:
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
    written: dict[str, str],
    summary: ExportSummary,
) -> NominalRecord:
    if not record.photos:
        return record
    photos = []
    for photo in record.photos:
        sha256 = photo.sha256
        assert sha256 is not None  # the importer sets it on every stored photo
        file = photo.file
        if written.get(file, sha256) != sha256:
            extension = EXTENSIONS.get(blob_store.media_type(sha256) or "", "")
            file = f"photos/sha256/{sha256}{extension}"
            photo = photo.model_copy(update={"file": file})
            summary.renamed_photos += 1
        if file not in written:
            target = out.joinpath(*PurePosixPath(file).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(blob_store.path_for(sha256), target)
            written[file] = sha256
            summary.photos += 1
        photos.append(photo)
    return record.model_copy(update={"photos": photos})
