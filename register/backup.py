"""Backup of the whole register: its database (every nominal, version, user and
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

Restoring it is register/restore.py; the format and its check, register/backup_manifest.py.
"""

import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, create_engine, func, select, text
from sqlalchemy.engine import make_url

from foundation.errors import InvalidInput
from imaging.blobstore import BlobStore
from register import tables
from register.audit import read_head, verify_register
from register.audit_chain import ChainSigner
from register.backup_manifest import (
    CHUNK,
    DOCUMENTS,
    FILE_LIST,
    FORMAT_VERSION,
    MANIFEST,
    PHOTOS,
    POSTGRES_FILE,
    SQLITE_FILE,
    BackupCounts,
    BackupFailed,
    BackupManifest,
    fsync_path,
    sha256_of,
    write_durably,
)
from register.database import translated_errors
from register.postgres_tools import run_tool


def _copy_verified(source: Path, target: Path, sha256: str, what: str) -> int:
    """Copy a blob, checking on the way that it still has the content its name promises."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as original, target.open("wb") as copy:
        while chunk := original.read(CHUNK):
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
        document_contents=len(document_contents(connection)),
        audit_entries=_count(connection, tables.audit_entries),
        users=_count(connection, tables.users),
    )


def holds_anything(connection: Connection) -> bool:
    counts = register_counts(connection)
    return bool(counts.nominals or counts.audit_entries or counts.users or counts.photo_blobs)


def photo_contents(connection: Connection) -> list[str]:
    return list(connection.scalars(select(tables.photo_blobs.c.sha256)))


def document_contents(connection: Connection) -> list[str]:
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
        photo_contents(connection),
        document_contents(connection),
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


def sqlite_file(engine: Engine) -> Path:
    database = make_url(engine.url).database
    if not database or database == ":memory:":
        raise InvalidInput("an in-memory register cannot be backed up")
    return Path(database)


def _sqlite_snapshot(engine: Engine, target: Path, signer: ChainSigner) -> _SnapshotState:
    """Copy the live database with SQLite's online backup API in one step (one read
    transaction: a consistent state however many writers are busy), then read the state
    from the copy itself."""
    source = sqlite3.connect(sqlite_file(engine), timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # A self-contained file: no -wal beside it to lose when the backup is moved.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    fsync_path(target)
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
    fsync_path(target)
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
        fsync_path(parent)
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
        sha256, size = sha256_of(path)
        lines.append(f"{sha256} {size} {path.relative_to(out).as_posix()}\n")
    listing = "".join(lines)
    write_durably(out / FILE_LIST, listing)
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
    write_durably(out / MANIFEST, manifest.model_dump_json(indent=2) + "\n")
    return manifest
