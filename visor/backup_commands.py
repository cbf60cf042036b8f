"""`visor backup OUT` and `visor restore-backup IN [--force]` (`visor restore` brings back an
archived nominal): the register, its photos and its audit chain as one consistent, verified
set (register/backup.py, register/restore.py), done by the local operator and recorded in
the audit trail."""

import argparse
from pathlib import Path

from register.audit import AuditEvent
from register.backup import take_backup
from register.permissions import authorize_backup, authorize_restore
from register.restore import restore_backup
from visor.output import emit
from visor.security import chain_signer, operator_auditor
from visor.services import Services

EXIT_OK = 0


def add_backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, help="folder to write (must be new or empty)")


def add_restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("backup", type=Path, help="a folder `visor backup` wrote")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a register that is not empty (everything in it is lost)",
    )


def run_backup(args: argparse.Namespace, services: Services) -> int:
    auditor = operator_auditor(services.settings)
    authorize_backup(auditor.principal)
    manifest = take_backup(
        services.engine,
        services.blob_store,
        args.out,
        chain_signer(services.settings),
        services.document_store,
    )
    counts = manifest.counts
    with services.engine.begin() as connection:
        auditor.record(
            connection,
            AuditEvent(
                "register.backup",
                target=str(args.out.resolve()),
                details={"manifest": manifest.model_dump(), "out": str(args.out.resolve())},
            ),
        )
    emit(
        args,
        {"out": str(args.out.resolve()), **manifest.model_dump()},
        f"backed up {counts.nominals} nominals, {counts.nominal_versions} versions, "
        f"{counts.photo_blobs} photos, {counts.document_contents} documents and "
        f"{counts.audit_entries} audit entries (verified) "
        f"to {args.out}",
    )
    return EXIT_OK


def _index_advice(services: Services) -> str:
    if services.settings.opensearch_url:
        return "now rebuild the search index from the restored register: `visor index rebuild`"
    return "the embedded search reads the register itself: nothing to rebuild"


def run_restore(args: argparse.Namespace, services: Services) -> int:
    auditor = operator_auditor(services.settings)
    authorize_restore(auditor.principal)
    summary = restore_backup(
        services.engine,
        services.blob_store,
        args.backup,
        chain_signer(services.settings),
        services.document_store,
        force=args.force,
    )
    manifest = summary.manifest
    # Appended to the restored chain, which it continues: the restore is part of its story.
    with services.engine.begin() as connection:
        auditor.record(
            connection,
            AuditEvent(
                "register.restore",
                target=str(args.backup.resolve()),
                details={
                    "backup": str(args.backup.resolve()),
                    "created_at": manifest.created_at,
                    "counts": manifest.counts.model_dump(),
                    "forced": args.force,
                },
            ),
        )
    advice = _index_advice(services)
    counts = manifest.counts
    emit(
        args,
        {
            "backup": str(args.backup.resolve()),
            "photos_restored": summary.photos_copied,
            "audit_entries_verified": summary.audit_entries_verified,
            "next": advice,
            **manifest.model_dump(),
        },
        f"restored {counts.nominals} nominals, {counts.photo_blobs} photos and "
        f"{summary.audit_entries_verified} audit entries (chain verified) from a backup of "
        f"{manifest.created_at}; {advice}",
    )
    return EXIT_OK
