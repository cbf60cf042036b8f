"""The backup's format: `manifest.json` (format, when, which backend, counts, the audit
chain's head and key, and the SHA-256 of `files.txt`), `files.txt` (SHA-256, size and path
of every file), and the check that a backup folder is complete and intact, file by file.
See register/backup.py for how a backup is made and register/restore.py for its restore."""

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from foundation import untrusted_json
from foundation.errors import InvalidInput, VisorError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILE_LIST = "files.txt"
SQLITE_FILE = "register.sqlite3"
POSTGRES_FILE = "register.pgdump"
PHOTOS = "photos"
DOCUMENTS = "documents"
CHUNK = 1024 * 1024
_FILE_LINE = re.compile(r"^([0-9a-f]{64}) ([0-9]+) ([A-Za-z0-9._/-]+)$")


class BackupFailed(VisorError):
    """A backup could not be made, or a restore could not be completed and verified."""


class BackupCounts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    nominals: int
    nominal_versions: int
    photo_blobs: int
    audit_entries: int
    users: int
    # Distinct contents of the documents attached to nominals (migration 0005).
    document_contents: int = 0


class BackupManifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format_version: int
    created_at: str
    source_backend: Literal["sqlite", "postgresql"]
    register_file: str
    counts: BackupCounts
    audit_head_seq: int
    audit_head_hash: str
    audit_key_id: str | None
    files: int
    files_sha256: str


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_durably(path: Path, content: str) -> None:
    descriptor, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def read_manifest(backup: Path) -> BackupManifest:
    path = backup / MANIFEST
    if not path.is_file():
        raise InvalidInput(f"{backup} is not a complete backup: it has no {MANIFEST}")
    try:
        document = untrusted_json.loads(path.read_bytes())
        manifest = BackupManifest.model_validate(document)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        raise InvalidInput(f"{MANIFEST} is malformed: {where}: {problem['msg']}") from error
    except InvalidInput as error:
        raise InvalidInput(f"{MANIFEST} is malformed: {error}") from error
    if manifest.format_version != FORMAT_VERSION:
        raise InvalidInput(
            f"backup format {manifest.format_version} is not one this release reads "
            f"({FORMAT_VERSION})"
        )
    return manifest


def _listed_files(backup: Path, manifest: BackupManifest) -> list[tuple[str, int, str]]:
    path = backup / FILE_LIST
    if not path.is_file():
        raise InvalidInput(f"the backup is damaged: {FILE_LIST} is missing")
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != manifest.files_sha256:
        raise InvalidInput(
            f"the backup is damaged: {FILE_LIST} does not match the SHA-256 in {MANIFEST}"
        )
    listed = []
    for number, line in enumerate(content.decode("ascii").splitlines(), start=1):
        match = _FILE_LINE.match(line)
        name = match.group(3) if match else ""
        if match is None or ".." in name.split("/") or name.startswith("/"):
            raise InvalidInput(f"the backup is damaged: {FILE_LIST} line {number} is malformed")
        listed.append((match.group(1), int(match.group(2)), name))
    if len(listed) != manifest.files:
        raise InvalidInput(
            f"the backup is damaged: {FILE_LIST} lists {len(listed)} files, "
            f"{MANIFEST} says {manifest.files}"
        )
    return listed


def check_backup(backup: Path) -> tuple[BackupManifest, list[tuple[str, int, str]]]:
    """The manifest and file list of a backup whose every file is present and intact, or
    InvalidInput naming the first file that is not."""
    manifest = read_manifest(backup)
    listed = _listed_files(backup, manifest)
    if manifest.register_file not in {name for _sha, _size, name in listed}:
        raise InvalidInput(f"the backup is damaged: {manifest.register_file} is not listed")
    held = {PHOTOS: 0, DOCUMENTS: 0}
    for sha256, size, name in listed:
        path = backup / name
        if not path.is_file():
            raise InvalidInput(f"the backup is damaged: {name} is missing")
        found, found_size = sha256_of(path)
        if found_size != size:
            raise InvalidInput(
                f"the backup is damaged: {name} is {found_size} bytes, the backup listed "
                f"{size} (cut short or appended to)"
            )
        if found != sha256:
            raise InvalidInput(
                f"the backup is damaged: {name} has SHA-256 {found}, the backup listed {sha256}"
            )
        folder = name.split("/", 1)[0]
        if folder in held:
            held[folder] += 1
            if Path(name).name != sha256:
                raise InvalidInput(f"the backup is damaged: {name} is not named by its content")
    for folder, named in (
        (PHOTOS, manifest.counts.photo_blobs),
        (DOCUMENTS, manifest.counts.document_contents),
    ):
        if held[folder] != named:
            raise InvalidInput(
                f"the backup is damaged: it holds {held[folder]} {folder}, the register "
                f"named {named}"
            )
    return manifest, listed
