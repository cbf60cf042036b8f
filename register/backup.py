"""Backup and restore of the whole register: its database (every nominal, version, user and
the audit chain) and the photo originals it names, as one consistent set.

A backup is a folder: the database snapshot (SQLite's online backup API, or `pg_dump` in
custom format), the photos under `photos/` as they are in the store, `files.txt` (SHA-256,
size and path of every file) and, written last, `manifest.json` (format, when, which backend,
counts, the audit chain's head, and the SHA-256 of `files.txt`). A folder without the
manifest is an unfinished backup.

Consistency while writes go on: the snapshot is taken first and the photos it references are
read from the snapshot itself, then copied. Blobs are content-addressed and never removed,
and each is in the store (fsynced) before the commit that names it, so every photo the
snapshot names is there to copy, whatever was committed since. The audit chain is verified
in the snapshot before the backup is declared good.

A restore checks every file against `files.txt` and `manifest.json` and the audit key before
it touches anything, refuses a register that holds anything unless forced, copies the photos
in (harmless if it stops half-way: unreferenced blobs), then replaces the database in one
step, and verifies counts, photos and the audit chain before declaring success.
"""

import datetime as dt
import hashlib
import os
import re
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Connection, Engine, Table, create_engine, func, select, text
from sqlalchemy.engine import make_url

from foundation import untrusted_json
from foundation.errors import Conflict, InvalidInput, VisorError
from imaging.blobstore import BlobStore, PhotoRejected
from register import tables
from register.audit import read_head, verify_register
from register.audit_chain import ChainSigner
from register.database import migrate, snapshot, translated_errors
from register.postgres_tools import run_tool, tool

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILE_LIST = "files.txt"
SQLITE_FILE = "register.sqlite3"
POSTGRES_FILE = "register.pgdump"
PHOTOS = "photos"
DOCUMENTS = "documents"
_CHUNK = 1024 * 1024
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


@dataclass(frozen=True)
class RestoreSummary:
    manifest: BackupManifest
    photos_copied: int
    audit_entries_verified: int


# --- files -----------------------------------------------------------------------------------


def _sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy_verified(source: Path, target: Path, sha256: str, what: str) -> int:
    """Copy a blob, checking on the way that it still has the content its name promises."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as original, target.open("wb") as copy:
        while chunk := original.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            copy.write(chunk)
        copy.flush()
        os.fsync(copy.fileno())
    if digest.hexdigest() != sha256:
        raise BackupFailed(
            f"{what} {sha256} in the store is damaged (its content has SHA-256 "
            f"{digest.hexdigest()}): restore it from an earlier backup first"
        )
    return size


def _write_durably(path: Path, content: str) -> None:
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
    _fsync_file(path.parent)


def _prepare_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"backup folder exists and is not empty: {out}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"cannot create the backup folder {out}: {error.strerror}") from error


# --- reading a register's state --------------------------------------------------------------


def _count(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def register_counts(connection: Connection) -> BackupCounts:
    return BackupCounts(
        nominals=_count(connection, tables.nominals),
        nominal_versions=_count(connection, tables.nominal_versions),
        photo_blobs=_count(connection, tables.photo_blobs),
        document_contents=len(_document_contents(connection)),
        audit_entries=_count(connection, tables.audit_entries),
        users=_count(connection, tables.users),
    )


def holds_anything(connection: Connection) -> bool:
    counts = register_counts(connection)
    return bool(counts.nominals or counts.audit_entries or counts.users or counts.photo_blobs)


def _photo_contents(connection: Connection) -> list[str]:
    return list(connection.scalars(select(tables.photo_blobs.c.sha256)))


def _document_contents(connection: Connection) -> list[str]:
    return list(connection.scalars(select(tables.documents.c.sha256).distinct()))


@dataclass(frozen=True)
class _SnapshotState:
    counts: BackupCounts
    photos: list[str]
    documents: list[str]
    head_seq: int
    head_hash: str
    key_id: str | None


def _state_of(connection: Connection, signer: ChainSigner) -> _SnapshotState:
    report = verify_register(connection, signer)
    if not report.intact:
        raise BackupFailed(
            f"the audit trail does not verify (first bad entry {report.first_bad}: "
            f"{report.problem}): no backup made; run `visor audit verify`"
        )
    head = read_head(connection)
    return _SnapshotState(
        register_counts(connection),
        _photo_contents(connection),
        _document_contents(connection),
        head.seq,
        head.entry_hash,
        head.key_id,
    )


@contextmanager
def _read_only_sqlite(path: Path) -> Iterator[Connection]:
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _sqlite_file(engine: Engine) -> Path:
    database = make_url(engine.url).database
    if not database or database == ":memory:":
        raise InvalidInput("an in-memory register cannot be backed up")
    return Path(database)


def _sqlite_snapshot(engine: Engine, target: Path, signer: ChainSigner) -> _SnapshotState:
    """Copy the live database with SQLite's online backup API in one step (one read
    transaction: a consistent state however many writers are busy), then read the state
    from the copy itself."""
    source = sqlite3.connect(_sqlite_file(engine), timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # A self-contained file: no -wal beside it to lose when the backup is moved.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    _fsync_file(target)
    with _read_only_sqlite(target) as connection:
        return _state_of(connection, signer)


def _postgres_snapshot(engine: Engine, target: Path, signer: ChainSigner) -> _SnapshotState:
    """pg_dump reads the very snapshot this transaction exported, so the state read here
    (counts, photos, the verified chain) is the dump's."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot_id = connection.scalar(text("SELECT pg_export_snapshot()"))
            run_tool(
                "pg_dump",
                engine.url,
                ["--format=custom", f"--snapshot={snapshot_id}", f"--file={target}"],
            )
            state = _state_of(connection, signer)
    _fsync_file(target)
    return state


# --- backup ----------------------------------------------------------------------------------


def _copy_contents(store: BlobStore, contents: list[str], out: Path, folder: str) -> list[Path]:
    """Copy each content the snapshot names from `store` into `out/folder`, checked."""
    what = folder[:-1]  # "photo", "document"
    copied: list[Path] = []
    missing: list[str] = []
    for sha256 in contents:
        source = store.path_for(sha256)
        target = out / folder / sha256[:2] / sha256
        try:
            _copy_verified(source, target, sha256, what)
        except FileNotFoundError:
            missing.append(sha256)
            continue
        copied.append(target)
    if missing:
        raise BackupFailed(
            f"{len(missing)} {what}(s) the register names are missing from the store "
            f"(first: {missing[0]}): no backup made"
        )
    for parent in {path.parent for path in copied}:
        _fsync_file(parent)
    return copied


def take_backup(
    engine: Engine, store: BlobStore, out: Path, signer: ChainSigner, documents: BlobStore
) -> BackupManifest:
    """Write a consistent backup of the register, its photos and its documents into `out`
    (new or empty)."""
    _prepare_out(out)
    backend = engine.dialect.name
    register_file = SQLITE_FILE if backend == "sqlite" else POSTGRES_FILE
    with translated_errors():
        if backend == "sqlite":
            state = _sqlite_snapshot(engine, out / register_file, signer)
        elif backend == "postgresql":
            state = _postgres_snapshot(engine, out / register_file, signer)
        else:
            raise InvalidInput(f"no backup for a {backend} register")
    copied = _copy_contents(store, state.photos, out, PHOTOS)
    copied += _copy_contents(documents, state.documents, out, DOCUMENTS)
    lines = []
    for path in [out / register_file, *copied]:
        sha256, size = _sha256_of(path)
        lines.append(f"{sha256} {size} {path.relative_to(out).as_posix()}\n")
    listing = "".join(lines)
    _write_durably(out / FILE_LIST, listing)
    manifest = BackupManifest(
        format_version=FORMAT_VERSION,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        source_backend="sqlite" if backend == "sqlite" else "postgresql",
        register_file=register_file,
        counts=state.counts,
        audit_head_seq=state.head_seq,
        audit_head_hash=state.head_hash,
        audit_key_id=state.key_id,
        files=len(lines),
        files_sha256=hashlib.sha256(listing.encode()).hexdigest(),
    )
    _write_durably(out / MANIFEST, manifest.model_dump_json(indent=2) + "\n")
    return manifest


# --- checking a backup -----------------------------------------------------------------------


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
        found, found_size = _sha256_of(path)
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


# --- restore ---------------------------------------------------------------------------------


def _restore_sqlite(engine: Engine, database: Path) -> None:
    """Replace the target's whole content in one step of the backup API (under the target's
    write lock: other connections see the old register or the new, never a mixture)."""
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    target = sqlite3.connect(_sqlite_file(engine), timeout=30)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _restore_postgres(engine: Engine, dump: Path) -> None:
    """Empty the target's schema and load the dump in one transaction (psql --single-
    transaction): a restore that fails leaves the target as it was."""
    restore = subprocess.Popen(
        [tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert restore.stdout is not None
    try:
        run_tool(
            "psql",
            engine.url,
            [
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--command=DROP SCHEMA public CASCADE",
                "--command=CREATE SCHEMA public",
                "--file=-",
            ],
            stdin=restore.stdout.fileno(),
        )
    finally:
        restore.stdout.close()
        _, errors = restore.communicate()
    if restore.returncode != 0:
        raise BackupFailed(f"pg_restore cannot read the dump: {errors.decode(errors='replace')}")


def _restore_contents(
    store: BlobStore, backup: Path, listed: list[tuple[str, int, str]], folder: str
) -> int:
    copied = 0
    for sha256, _size, name in listed:
        if not name.startswith(f"{folder}/"):
            continue
        try:
            if folder == PHOTOS:
                store.put_file(backup / name, expected_sha256=sha256)
            else:
                # A document's content was checked when it was attached, and the backup's
                # listing has just checked its SHA-256.
                store.put_checked(backup / name, sha256)
        except (PhotoRejected, OSError) as error:
            raise BackupFailed(f"{name} cannot be restored: {error}") from error
        copied += 1
    return copied


def _verify_restored(
    engine: Engine,
    store: BlobStore,
    documents: BlobStore,
    manifest: BackupManifest,
    signer: ChainSigner,
) -> int:
    with snapshot(engine) as connection:
        counts = register_counts(connection)
        if counts != manifest.counts:
            raise BackupFailed(
                f"the restored register holds {counts.model_dump()}, the backup "
                f"{manifest.counts.model_dump()}"
            )
        report = verify_register(connection, signer)
        if not report.intact:
            raise BackupFailed(
                f"the restored audit trail does not verify (first bad entry "
                f"{report.first_bad}: {report.problem})"
            )
        head = read_head(connection)
        if (head.seq, head.entry_hash) != (manifest.audit_head_seq, manifest.audit_head_hash):
            raise BackupFailed("the restored audit chain's head is not the backup's")
        for kept, contents, what in (
            (store, _photo_contents(connection), "photo"),
            (documents, _document_contents(connection), "document"),
        ):
            for sha256 in contents:
                path = kept.path_for(sha256)
                if not path.is_file() or _sha256_of(path)[0] != sha256:
                    raise BackupFailed(f"{what} {sha256} is missing or damaged after the restore")
    return report.entries


def restore_backup(
    engine: Engine,
    store: BlobStore,
    backup: Path,
    signer: ChainSigner,
    documents: BlobStore,
    force: bool = False,
) -> RestoreSummary:
    """Restore `backup` into the register behind `engine`, which must hold nothing unless
    `force`; raise before changing anything when the backup is damaged or does not fit."""
    manifest, listed = check_backup(backup)
    backend = engine.dialect.name
    if manifest.source_backend != backend:
        raise InvalidInput(
            f"this is a {manifest.source_backend} backup and the register is {backend}: "
            "restore it into the same kind of database (moving between them is `visor "
            "export` and `visor import`)"
        )
    if manifest.audit_key_id not in (None, signer.key_id):
        raise InvalidInput(
            f"the backup's audit chain is signed with key {manifest.audit_key_id}, and "
            f"VISOR_SECRET_KEY gives key {signer.key_id}: restore with the deployment's key"
        )
    with translated_errors():
        with snapshot(engine) as connection:
            if holds_anything(connection) and not force:
                raise Conflict(
                    "the register is not empty: restoring would replace everything in it "
                    "(use --force to do so)"
                )
        photos = _restore_contents(store, backup, listed, PHOTOS)
        _restore_contents(documents, backup, listed, DOCUMENTS)
        database = backup / manifest.register_file
        if backend == "sqlite":
            _restore_sqlite(engine, database)
        else:
            _restore_postgres(engine, database)
        engine.dispose()  # no pooled connection may remember the register before
        migrate(engine)
        entries = _verify_restored(engine, store, documents, manifest, signer)
    return RestoreSummary(manifest, photos, entries)
