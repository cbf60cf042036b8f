"""`visor audit ...`: verify the chain, read the log, export it for a regulator, sign a
checkpoint; and the photo-quality and compliance audits (quality_audit_commands.py). A
sub-command group: each action is one `_action(...)` line in `add_audit_arguments` and one
function taking (args, services)."""

import argparse
import csv
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from foundation.errors import InvalidInput
from foundation.escapes import json_text, printable
from register.audit import LogFilter, LoggedEntry, read_log, verify_register, write_checkpoint
from register.audit_access import check_recipient, record_disclosure
from register.audit_chain import utc_text
from register.database import snapshot
from register.permissions import authorize_read_audit
from visor.output import add_action_json_flag, emit
from visor.quality_audit_commands import add_quality_audit_actions
from visor.security import chain_signer, operator_auditor
from visor.services import Services

EXIT_INTACT, EXIT_TAMPERED = 0, 1
AuditAction = Callable[[argparse.Namespace, Services], int]
CSV_COLUMNS = (
    "seq",
    "at",
    "actor",
    "agency",
    "action",
    "target",
    "outcome",
    "purpose",
    "client",
    "references",
    "details",
    "entry_hash",
    "redacted",
)


def add_audit_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="audit_action", required=True)

    def _action(name: str, help_text: str, run: AuditAction) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        add_action_json_flag(sub)
        sub.set_defaults(audit_run=run)
        return sub

    _action("verify", "check the whole chain: exit 0 intact, 1 naming the first bad entry", _verify)
    sub = _action("log", "entries by nominal, user, period or action, oldest first", _log)
    _filters(sub)
    sub = _action("export", "write the entries (all, or filtered) as CSV or JSON Lines", _export)
    _filters(sub)
    sub.add_argument("out", help="file to write (- for standard output)")
    sub.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    sub.add_argument(
        "--recipient", required=True, help="to whom it is disclosed (kept in the audit trail)"
    )
    sub.add_argument("--purpose", help="why it is disclosed (kept in the audit trail)")
    _action(
        "checkpoint", "sign the chain's head now and print it (keep a copy elsewhere)", _checkpoint
    )
    add_quality_audit_actions(actions)


def _filters(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--reference", help="entries about this nominal: who looked at it?")
    sub.add_argument("--user", help="entries by this user")
    sub.add_argument("--since", help="from this date or time (UTC, ISO 8601)")
    sub.add_argument("--until", help="before this date or time (UTC, ISO 8601)")
    sub.add_argument("--action", help="one action, e.g. search, nominal.view, sign_in")
    sub.add_argument("--limit", type=int, help="at most this many entries")


def run_audit(args: argparse.Namespace, services: Services) -> int:
    authorize_read_audit(operator_auditor(services.settings).principal)
    run: AuditAction = args.audit_run
    return run(args, services)


def parse_moment(label: str, value: str | None) -> dt.datetime | None:
    """A date or time given by a person (UTC unless it says otherwise); `label` names where
    it was given (`--since`, `since`) in the refusal."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{label}: not a date or time (YYYY-MM-DD[THH:MM])") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _wanted(args: argparse.Namespace) -> LogFilter:
    if args.limit is not None and args.limit < 1:
        raise InvalidInput("--limit must be at least 1")
    return LogFilter(
        reference=args.reference,
        user=args.user,
        since=parse_moment("--since", args.since),
        until=parse_moment("--until", args.until),
        action=args.action,
        limit=args.limit,
    )


def _verify(args: argparse.Namespace, services: Services) -> int:
    signer = chain_signer(services.settings)
    with snapshot(services.engine) as connection:
        report = verify_register(connection, signer)
    data = {
        "intact": report.intact,
        "entries": report.entries,
        "checkpoints": report.checkpoints,
        "first_bad_entry": report.first_bad,
        "problem": report.problem,
    }
    if report.intact:
        text = f"audit trail intact: {report.entries} entries, {report.checkpoints} checkpoints"
    else:
        text = f"audit trail TAMPERED: first bad entry {report.first_bad}: {report.problem}"
    emit(args, data, text)
    return EXIT_INTACT if report.intact else EXIT_TAMPERED


def _entry_line(entry: LoggedEntry) -> str:
    who = printable(entry.actor) + (f" ({entry.agency})" if entry.agency else "")
    parts = [f"{entry.seq:>8}  {entry.at}  {who}  {entry.action}"]
    if entry.target:
        parts.append(printable(entry.target))
    parts.append(entry.outcome)
    if entry.purpose:
        parts.append(f"purpose: {printable(entry.purpose)}")
    if entry.references:
        shown = ", ".join(printable(r) for r in entry.references[:10])
        more = len(entry.references) - 10
        parts.append(f"concerns {shown}" + (f" and {more} more" if more > 0 else ""))
    return "  ".join(parts)


def _log(args: argparse.Namespace, services: Services) -> int:
    wanted = _wanted(args)
    with snapshot(services.engine) as connection:
        for entry in read_log(connection, wanted):
            emit(args, entry.model_dump(), _entry_line(entry))
    return 0


def _export(args: argparse.Namespace, services: Services) -> int:
    wanted = _wanted(args)
    out: IO[str]
    if args.out == "-":
        out = sys.stdout
    else:
        path = Path(args.out)
        if path.exists():
            raise InvalidInput(f"{path} exists: name a new file")
        out = path.open("x", encoding="utf-8", newline="")
    recipient = check_recipient(args.recipient)
    hashed = _Hashing(out)
    try:
        with snapshot(services.engine) as connection:
            count = write_export(read_log(connection, wanted), hashed, args.format)
    finally:
        if out is not sys.stdout:
            out.close()
    with services.engine.begin() as connection:
        record_disclosure(
            connection,
            operator_auditor(services.settings),
            recipient,
            args.format,
            wanted,
            count,
            hashed.sha256.hexdigest(),
            args.purpose,
        )
    if args.out != "-":
        summary = {"out": str(Path(args.out).resolve()), "entries": count, "format": args.format}
        emit(args, summary, f"wrote {count} audit entries to {summary['out']}")
    return 0


class _Hashing:
    """A text stream that keeps the SHA-256 of the UTF-8 it passes on: what the disclosure
    entry names."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.sha256 = hashlib.sha256()

    def write(self, text: str) -> int:
        self.sha256.update(text.encode("utf-8"))
        return self.out.write(text)


def write_export(entries: Iterable[LoggedEntry], out: "IO[str] | _Hashing", format: str) -> int:
    """Write entries as CSV (with a header) or JSON Lines, as a regulator receives them;
    how many were written."""
    count = 0
    writer = csv.writer(out) if format == "csv" else None
    if writer is not None:
        writer.writerow(CSV_COLUMNS)
    for entry in entries:
        count += 1
        if writer is not None:
            writer.writerow(csv_row(entry))
        else:
            out.write(json_text(entry.model_dump()) + "\n")
    return count


def csv_row(entry: LoggedEntry) -> list[Any]:
    data = entry.model_dump()
    data["references"] = " ".join(entry.references)
    data["redacted"] = " ".join(entry.redacted)
    data["details"] = json.dumps(entry.details, sort_keys=True, ensure_ascii=False)
    return [inert_cell(data[column]) for column in CSV_COLUMNS]


def inert_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: one that starts with = + - @ would run as a
    formula, so it is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _checkpoint(args: argparse.Namespace, services: Services) -> int:
    signer = chain_signer(services.settings)
    with services.engine.begin() as connection:
        point = write_checkpoint(connection, signer)
    data = {
        "seq": point.seq,
        "entry_hash": point.entry_hash,
        "key_id": point.key_id,
        "signature": point.signature,
        "at": utc_text(dt.datetime.now(dt.UTC)),
    }
    emit(args, data, json.dumps(data))
    return 0
