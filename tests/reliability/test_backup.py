"""Backup taken while writers are busy, restored into an empty register: every record is a
version that was committed (none torn), every photo the register names is there with its
content, and the audit chain verifies. A damaged backup is refused, with the reason, before
anything is touched."""

import datetime as dt
import hashlib
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from foundation.errors import Conflict, InvalidInput, StaleVersion
from register import changes, store, tables
from register.audit import verify_register
from register.audit_chain import ChainSigner
from register.backup import take_backup
from register.backup_manifest import FILE_LIST, MANIFEST, check_backup
from register.database import snapshot
from register.documents import NewDocument, add_document
from register.model import NominalRecord, to_document
from register.restore import restore_backup
from tests.cli_helpers import visor, visor_env
from tests.conftest import minimal_record, run_import, write_bundle
from tests.reliability.databases import another_database
from visor.security import chain_signer, operator_auditor
from visor.services import Services, build_services
from visor.settings import Settings

NOMINALS = 12


def photo(seed: int) -> bytes:
    import io
    import random

    rng = random.Random(seed)
    image = Image.new("RGB", (48, 64))
    image.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(48 * 64)])
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def bundle_of(folder: Path, prefix: str, count: int, seed: int) -> Path:
    lines = []
    photos = {}
    for index in range(count):
        name = f"photos/{prefix}{index}.jpg"
        photos[name] = photo(seed * 1000 + index)
        lines.append(
            minimal_record(f"{prefix}{index:03d}", photos=[{"file": name, "kind": "face"}])
        )
    return write_bundle(folder, lines, photos)


def histories(services: Services) -> dict[str, dict[int, dict[str, Any]]]:
    """Every committed version of every nominal, as the register's history holds it."""
    with snapshot(services.engine) as connection:
        references = list(connection.scalars(select(tables.nominals.c.reference)))
        return {
            reference: {e.version: e.document for e in store.history(connection, reference)}
            for reference in references
        }


class Editor(threading.Thread):
    """Keeps replacing nominals through register/changes.replace (read the version, write
    against it, retry on StaleVersion) until stopped; logs each committed document."""

    def __init__(self, services: Services, references: list[str]) -> None:
        super().__init__(daemon=True)
        self.services, self.references = services, references
        self.stop = threading.Event()
        self.committed: dict[tuple[str, int], dict[str, Any]] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        auditor = operator_auditor(self.services.settings)
        count = 0
        try:
            while not self.stop.is_set():
                reference = self.references[count % len(self.references)]
                count += 1
                while True:
                    with snapshot(self.services.engine) as connection:
                        version = store.find_existing(connection, [reference])[reference].version
                        current = store.get_record(connection, reference)
                    edited = current.model_copy(
                        update={"behavioural_traits": [*current.behavioural_traits, f"e{count}"]}
                    )
                    try:
                        with self.services.engine.begin() as connection:
                            written = changes.replace(connection, auditor, edited, version)
                    except StaleVersion:
                        continue
                    self.committed[(reference, written.version)] = written.after
                    break
        except BaseException as error:
            self.error = error

    def wait_for(self, commits: int) -> None:
        while len(self.committed) < commits:
            assert self.error is None, self.error
            assert self.is_alive()
            self.stop.wait(0.01)


@pytest.fixture
def busy_register(services: Services, tmp_path: Path) -> Iterator[Services]:
    summary, rejects = run_import(services, bundle_of(tmp_path / "first", "A", NOMINALS, 1))
    assert (summary.created, rejects) == (NOMINALS, [])
    yield services


def test_a_backup_taken_during_writes_restores_a_committed_state(
    busy_register: Services, tmp_path: Path, database_url: str
) -> None:
    services = busy_register
    signer = chain_signer(services.settings)
    references = [f"A{index:03d}" for index in range(NOMINALS)]
    editor = Editor(services, references)
    editor.start()
    editor.wait_for(15)
    # Photos arrive while the backup runs too: an import of new nominals with new photos.
    imported: list[Any] = []
    late_import = threading.Thread(
        target=lambda: imported.append(
            run_import(services, bundle_of(tmp_path / "late", "L", 6, 2))
        )
    )
    late_import.start()
    manifest = take_backup(
        services.engine, services.blob_store, tmp_path / "backup", signer, services.document_store
    )
    at_backup = len(editor.committed)
    editor.wait_for(at_backup + 15)
    editor.stop.set()
    editor.join()
    late_import.join()
    assert editor.error is None
    # On SQLite an import beside the editor once failed here with "database is locked".
    assert [(summary.created, rejects) for summary, rejects in imported] == [(6, [])]

    committed = histories(services)
    for (reference, version), document in editor.committed.items():
        assert committed[reference][version] == document  # the oracle agrees with the writer

    with another_database(database_url, tmp_path) as target_url:
        target = build_services(Settings(home=tmp_path / "restored", database_url=target_url))
        try:
            summary = restore_backup(
                target.engine, target.blob_store, tmp_path / "backup", signer, target.document_store
            )
            with snapshot(target.engine) as connection:
                restored = {r.reference: r for r in store.iter_records(connection)}
                versions = {
                    ref: e.version for ref, e in store.find_existing(connection, restored).items()
                }
                report = verify_register(connection, signer)
                blobs = list(connection.scalars(select(tables.photo_blobs.c.sha256)))
        finally:
            target.close()
    assert report.intact, report.problem
    assert summary.audit_entries_verified == manifest.counts.audit_entries == report.entries
    assert len(restored) == manifest.counts.nominals >= NOMINALS
    # A state strictly inside the run of writes: some edits before, some after.
    restored_edits = sum(versions[ref] - 1 for ref in references)
    assert 15 <= restored_edits < len(editor.committed)
    for reference, record in restored.items():
        # Not torn: the whole record is one version that was committed.
        assert to_document(record) == committed[reference][versions[reference]], reference
    named = {p.sha256 for record in restored.values() for p in record.photos}
    assert named <= set(blobs) and len(blobs) == manifest.counts.photo_blobs
    for sha256 in blobs:
        content = target.blob_store.path_for(sha256).read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha256


def damage(path: Path, offset: int) -> None:
    content = bytearray(path.read_bytes())
    content[offset % len(content)] ^= 0x01
    path.write_bytes(bytes(content))


HARMS = {
    "register": "register.* has SHA-256",
    "photo": "photos/.* has SHA-256",
    "truncate photo": "photos/.* is .* bytes, the backup listed",
    "remove photo": "photos/.* is missing",
    "file list": f"{FILE_LIST} does not match",
    "manifest": f"{MANIFEST} is malformed",
    "no manifest": f"has no {MANIFEST}",
}


def harmed(backup: Path, harm: str, copy: Path) -> Path:
    shutil.copytree(backup, copy)
    a_photo = next(p for p in sorted((copy / "photos").rglob("*")) if p.is_file())
    register_file = next(copy.glob("register.*"))
    if harm == "register":
        damage(register_file, register_file.stat().st_size // 2)
    elif harm == "photo":
        damage(a_photo, 400)
    elif harm == "truncate photo":
        a_photo.write_bytes(a_photo.read_bytes()[:-10])
    elif harm == "remove photo":
        a_photo.unlink()
    elif harm == "file list":
        damage(copy / FILE_LIST, 3)
    elif harm == "manifest":
        (copy / MANIFEST).write_text('{"format_version": 1, "format_version": 2}')
    else:
        (copy / MANIFEST).unlink()
    return copy


def test_a_damaged_backup_is_refused_with_its_reason_and_the_target_untouched(
    busy_register: Services, tmp_path: Path, database_url: str
) -> None:
    services = busy_register
    signer = chain_signer(services.settings)
    backup = tmp_path / "backup"
    take_backup(services.engine, services.blob_store, backup, signer, services.document_store)
    with another_database(database_url, tmp_path) as target_url:
        target = build_services(Settings(home=tmp_path / "restored", database_url=target_url))
        try:
            for number, (harm, reason) in enumerate(HARMS.items()):
                copy = harmed(backup, harm, tmp_path / f"harmed-{number}")
                with pytest.raises(InvalidInput, match=reason):
                    restore_backup(
                        target.engine, target.blob_store, copy, signer, target.document_store
                    )
                with snapshot(target.engine) as connection:
                    assert store.count_nominals(connection) == 0, harm
                assert not [p for p in target.blob_store.root.rglob("*") if p.is_file()], harm
        finally:
            target.close()


def test_a_non_empty_register_is_replaced_only_when_forced(
    busy_register: Services, tmp_path: Path, database_url: str
) -> None:
    services = busy_register
    signer = chain_signer(services.settings)
    backup = tmp_path / "backup"
    take_backup(services.engine, services.blob_store, backup, signer, services.document_store)
    with another_database(database_url, tmp_path) as target_url:
        target = build_services(Settings(home=tmp_path / "restored", database_url=target_url))
        try:
            with target.engine.begin() as connection:
                changes.create(
                    connection,
                    operator_auditor(target.settings),
                    NominalRecord.model_validate(minimal_record("OTHER1")),
                )
            with pytest.raises(Conflict, match="not empty"):
                restore_backup(
                    target.engine, target.blob_store, backup, signer, target.document_store
                )
            with snapshot(target.engine) as connection:
                assert store.get_record(connection, "OTHER1").reference == "OTHER1"
            restore_backup(
                target.engine, target.blob_store, backup, signer, target.document_store, force=True
            )
            with snapshot(target.engine) as connection:
                assert store.count_nominals(connection) == NOMINALS
                assert not store.find_existing(connection, ["OTHER1"])
        finally:
            target.close()


def test_a_backup_signed_with_another_key_or_from_another_backend_is_refused(
    busy_register: Services, tmp_path: Path, database_url: str
) -> None:
    services = busy_register
    backup = tmp_path / "backup"
    take_backup(
        services.engine,
        services.blob_store,
        backup,
        chain_signer(services.settings),
        services.document_store,
    )
    other_key = ChainSigner(b"another deployment's key, not ours", 1000)
    with another_database(database_url, tmp_path) as target_url:
        target = build_services(Settings(home=tmp_path / "restored", database_url=target_url))
        try:
            with pytest.raises(InvalidInput, match="signed with key"):
                restore_backup(
                    target.engine, target.blob_store, backup, other_key, target.document_store
                )
        finally:
            target.close()
    other_backend = "postgresql" if database_url.startswith("sqlite") else "sqlite"
    manifest, _listed = check_backup(backup)
    assert manifest.source_backend != other_backend


@pytest.mark.postgres
def test_a_sqlite_backup_does_not_restore_into_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    source = build_services(Settings(home=tmp_path / "source"))
    target = build_services(Settings(home=tmp_path / "target", database_url=postgres_url))
    try:
        signer = chain_signer(source.settings)
        take_backup(
            source.engine, source.blob_store, tmp_path / "backup", signer, source.document_store
        )
        with pytest.raises(InvalidInput, match="sqlite backup and the register is postgresql"):
            restore_backup(
                target.engine, target.blob_store, tmp_path / "backup", signer, target.document_store
            )
    finally:
        source.close()
        target.close()


def test_the_cli_backs_up_and_restores_as_the_audited_operator(
    tmp_path: Path, database_url: str
) -> None:
    env = visor_env(tmp_path / "home", database_url)
    bundle = bundle_of(tmp_path / "bundle", "C", 3, 3)
    assert visor("import", str(bundle), env=env, cwd=tmp_path).returncode == 0
    made = visor("backup", str(tmp_path / "backup"), "--json", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    again = visor("backup", str(tmp_path / "backup"), env=env, cwd=tmp_path)
    assert again.returncode == 2 and "not empty" in again.stderr
    with another_database(database_url, tmp_path) as target_url:
        target_env = visor_env(tmp_path / "target", target_url)
        restored = visor(
            "restore-backup", str(tmp_path / "backup"), "--json", env=target_env, cwd=tmp_path
        )
        assert restored.returncode == 0, restored.stderr
        refused = visor("restore-backup", str(tmp_path / "backup"), env=target_env, cwd=tmp_path)
        assert refused.returncode == 2 and "--force" in refused.stderr
        log = visor(
            "audit",
            "export",
            "-",
            "--format",
            "jsonl",
            "--recipient",
            "test",
            env=target_env,
            cwd=tmp_path,
        )
        verified = visor("audit", "verify", env=target_env, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout
    actions = [entry["action"] for entry in read_jsonl_text(log.stdout)]
    # The source's own trail up to the backup, then the restore, in one chain.
    assert actions[-1] == "register.restore" and "nominal.create" in actions
    assert "register.backup" not in actions  # written after the snapshot was taken
    source_log = visor(
        "audit", "export", "-", "--format", "jsonl", "--recipient", "test", env=env, cwd=tmp_path
    )
    assert read_jsonl_text(source_log.stdout)[-1]["action"] == "register.backup"


def read_jsonl_text(text: str) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_documents_attached_to_nominals_are_backed_up_and_restored(
    busy_register: Services, tmp_path: Path, database_url: str
) -> None:
    services = busy_register
    signer = chain_signer(services.settings)
    upload = tmp_path / "plan.txt"
    upload.write_text("Risk management plan: weekly visits, no contact with children.\n")
    added = add_document(
        services.engine,
        operator_auditor(services.settings),
        services.document_store,
        "A000",
        upload,
        NewDocument("risk_management_plan", "RMP", "PO Smith", dt.date(2026, 11, 1)),
    )
    manifest = take_backup(
        services.engine, services.blob_store, tmp_path / "backup", signer, services.document_store
    )
    assert manifest.counts.document_contents == 1
    with another_database(database_url, tmp_path) as target_url:
        target = build_services(Settings(home=tmp_path / "restored", database_url=target_url))
        try:
            restore_backup(
                target.engine, target.blob_store, tmp_path / "backup", signer, target.document_store
            )
            kept = target.document_store.path_for(added.sha256)
            assert kept.read_bytes() == upload.read_bytes()
        finally:
            target.close()
    # A backup whose document went missing is refused, naming what is missing.
    (tmp_path / "backup" / "documents" / added.sha256[:2] / added.sha256).unlink()
    with pytest.raises(InvalidInput, match="missing"):
        check_backup(tmp_path / "backup")
