"""`visor check`: is the register whole? The consistency check (register/consistency.py) and
the audit chain's verification, read from one snapshot, after a crash or a restore."""

import argparse
import dataclasses

from register.audit import AuditEvent, verify_register
from register.consistency import check_register
from register.database import snapshot
from register.permissions import authorize_check_register
from visor.output import emit
from visor.security import chain_signer, operator_auditor
from visor.services import Services

EXIT_WHOLE, EXIT_PROBLEMS = 0, 1


def run_check(args: argparse.Namespace, services: Services) -> int:
    auditor = operator_auditor(services.settings)
    authorize_check_register(auditor.principal)
    with snapshot(services.engine) as connection:
        report = check_register(connection, services.blob_store, services.document_store)
        chain = verify_register(connection, chain_signer(services.settings))
    whole = report.consistent and chain.intact
    data = {
        **dataclasses.asdict(report),
        "consistent": report.consistent,
        "audit_chain_intact": chain.intact,
        "audit_entries": chain.entries,
        "audit_problem": chain.problem,
    }
    with services.engine.begin() as connection:
        auditor.record(
            connection,
            AuditEvent(
                "register.check",
                target="register",
                outcome="ok" if whole else "problems",
                details={k: v for k, v in data.items() if k != "problems"},
            ),
        )
    lines = [
        f"{report.nominals} nominals, {report.versions} versions, {report.photos} photos, "
        f"{report.documents} documents: "
        + ("whole" if report.consistent else f"{report.problem_count} problem(s)"),
        *(f"  {problem}" for problem in report.problems),
        f"audit trail: {chain.entries} entries, "
        + ("intact" if chain.intact else f"first bad entry {chain.first_bad}: {chain.problem}"),
    ]
    if report.problem_count > len(report.problems):
        lines.insert(-1, f"  ... and {report.problem_count - len(report.problems)} more")
    emit(args, data, "\n".join(lines))
    return EXIT_WHOLE if whole else EXIT_PROBLEMS
