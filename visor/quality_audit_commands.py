"""`visor audit photos` and `visor audit compliance`: the audits' output forms (text, JSON,
CSV, a printable HTML report). The audits themselves are in audits/, free of CLI concerns;
the `audit` group they join is in audit_commands.py."""

import argparse
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from audits.compliance import ComplianceAudit
from audits.photo_audit import PhotoAudit
from audits.policy import AuditPolicy
from audits.report_html import compliance_report_html, photo_report_html
from audits.reports import check_as_of, read_audit_report
from audits.tabular import write_compliance_csv, write_photo_csv
from foundation.errors import InvalidInput
from imaging.analysis import THUMBNAIL
from visor.output import add_action_json_flag, emit
from visor.security import operator_auditor
from visor.services import Services
from visor.settings import Settings


def audit_policy(settings: Settings) -> AuditPolicy:
    weeks = {3: settings.audit_review_weeks_level_3, 2: settings.audit_review_weeks_level_2}
    if settings.audit_review_weeks_level_1 is not None:
        weeks[1] = settings.audit_review_weeks_level_1
    return AuditPolicy(photo_max_age_months=settings.audit_photo_max_age_months, review_weeks=weeks)


def add_quality_audit_actions(actions: "argparse._SubParsersAction[Any]") -> None:
    """`photos` and `compliance` in the `audit` group whose sub-parsers are `actions`."""
    for name, help_text in (
        ("photos", "flag photos (blurry, dark, faceless, duplicate...) and nominals (none, stale)"),
        ("compliance", "MAPPA reviews overdue, incomplete records, wanted/missing, partners"),
    ):
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(audit_run=run_quality_audit, quality_audit=name)
        add_action_json_flag(sub, "the whole audit as one JSON object")
        sub.add_argument("--agency", help="only the nominals this agency manages (code)")
        sub.add_argument("--as-of", help="the date to audit as of (YYYY-MM-DD, default today)")
        out = sub.add_mutually_exclusive_group()
        out.add_argument("--csv", type=Path, metavar="OUT", help="write one row per flag")
        out.add_argument("--html", type=Path, metavar="OUT", help="write a printable report")


def _as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput(f"--as-of must be a date (YYYY-MM-DD): {text}") from error
    return check_as_of(day, "--as-of")


def _write(path: Path, write: Callable[[IO[str]], None]) -> None:
    """Write atomically: a report half-written when the disk fills is never left behind."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InvalidInput(f"cannot write {path}: {folder} is not a folder")
    descriptor, temp = tempfile.mkstemp(dir=folder, prefix=".audit-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            write(out)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run_quality_audit(args: argparse.Namespace, services: Services) -> int:
    settings = services.settings
    audit = read_audit_report(
        services.engine,
        operator_auditor(settings),
        args.quality_audit,
        audit_policy(settings),
        _as_of(args.as_of),
        args.agency,
        settings.audit_national_agencies,
    )
    if args.csv is not None:
        if isinstance(audit, PhotoAudit):
            photo_audit = audit
            _write(args.csv, lambda out: write_photo_csv(photo_audit, out))
        else:
            compliance = audit
            _write(args.csv, lambda out: write_compliance_csv(compliance, out))
    if args.html is not None:
        if isinstance(audit, PhotoAudit):
            store = services.blob_store

            def thumbnail(sha256: str) -> bytes | None:
                path = store.derivative_path(sha256, THUMBNAIL)
                return path.read_bytes() if path.is_file() else None

            page = photo_report_html(audit, thumbnail)
        else:
            page = compliance_report_html(audit)
        _write(args.html, lambda out: print(page, end="", file=out))
    data = json.loads(audit.model_dump_json())
    emit(args, data, _summary_text(audit, args))
    return 0


def _summary_text(audit: PhotoAudit | ComplianceAudit, args: argparse.Namespace) -> str:
    scope = f"agency {audit.agency}" if audit.agency else "every agency"
    lines = []
    if isinstance(audit, PhotoAudit):
        s = audit.summary
        lines.append(
            f"photo audit as of {audit.as_of} ({scope}): {s.photos_flagged} of {s.photos} photos "
            f"and {s.nominals_flagged} of {s.nominals} nominals flagged"
        )
        by_flag = s.by_flag
        worst_items = [(p.reference, p.flags) for p in audit.photos[:10]]
        worst_items += [(n.reference, n.flags) for n in audit.nominals[:10]]
    else:
        summary = audit.summary
        lines.append(
            f"compliance audit as of {audit.as_of} ({scope}): {summary['records_flagged']} of "
            f"{summary['nominals']} records flagged; {summary['reviews_overdue']} of "
            f"{summary['reviews_audited']} MAPPA reviews overdue"
        )
        by_flag = summary["by_flag"]
        worst_items = [(r.reference, r.flags) for r in audit.records[:10]]
    lines += [f"  {code:<24} {count}" for code, count in by_flag.items()]
    if worst_items:
        lines.append("most severe first (--json, --csv or --html for all):")
        for reference, flags in worst_items[:10]:
            lines.append(f"  {reference}: " + "; ".join(f"{f.code}: {f.detail}" for f in flags))
    for option, kind in (("csv", "CSV"), ("html", "report")):
        if getattr(args, option) is not None:
            lines.append(f"{kind} written to {getattr(args, option)}")
    return "\n".join(lines)
