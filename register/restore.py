"""Restoring a backup (register/backup.py) into a register: every file checked against the
backup's own list and manifest, the backend and the audit key before anything is touched; a
register that holds anything refused unless forced; photos copied in first (harmless if it
stops half-way: unreferenced blobs), then the database replaced in one step and migrated;
counts, photos and the audit chain verified before success is declared."""

import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from foundation.errors import Conflict, InvalidInput
from imaging.blobstore import BlobStore, PhotoRejected
from register.audit import read_head, verify_register
from register.audit_chain import ChainSigner
from register.backup import (
    document_contents,
    holds_anything,
    photo_contents,
    register_counts,
    sqlite_file,
)
from register.backup_manifest import (
    DOCUMENTS,
    PHOTOS,
    BackupFailed,
    BackupManifest,
    check_backup,
    sha256_of,
)
from register.database import migrate, snapshot, translated_errors
from register.postgres_tools import run_tool, tool


@dataclass(frozen=True)
class RestoreSummary:
    manifest: BackupManifest
    photos_copied: int
    audit_entries_verified: int


def _restore_sqlite(engine: Engine, database: Path) -> None:
    """Replace the target's whole content in one step of the backup API (under the target's
    write lock: other connections see the old register or the new, never a mixture)."""
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    target = sqlite3.connect(sqlite_file(engine), timeout=30)
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
            (store, photo_contents(connection), "photo"),
            (documents, document_contents(connection), "document"),
        ):
            for sha256 in contents:
                path = kept.path_for(sha256)
                if not path.is_file() or sha256_of(path)[0] != sha256:
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
