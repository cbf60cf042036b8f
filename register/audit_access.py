"""Auditors reading the audit trail, itself recorded in it: a page of entries ("who looked at
this record?") as a consultation, and an export for a regulator as a disclosure with its
recipient, its size and the SHA-256 of what was handed over (DPA 2018 s.62)."""

from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Connection

from foundation.errors import InvalidInput
from register.audit import AuditEvent, Auditor, LogFilter, LoggedEntry, read_log
from register.permissions import RestrictionPolicy, authorize_read_audit
from register.principals import Principal

MAX_PAGE = 1000


@dataclass(frozen=True)
class AuditPage:
    entries: list[LoggedEntry]
    next_after: int | None  # the seq to continue after, when there are more


def _filters(wanted: LogFilter) -> dict[str, Any]:
    shown = {k: v for k, v in asdict(wanted).items() if v is not None and k != "limit"}
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in shown.items()}


# The parts of an entry's details that hold a record's fields by name (a change's before and
# after, a creation's whole record).
_RECORD_PARTS = ("before", "after")


def redact_entry(
    principal: Principal, entry: LoggedEntry, policy: RestrictionPolicy
) -> LoggedEntry:
    """The entry as this principal may read it: the restricted fields they may not see left
    out of a change's before and after (an auditor checks who changed what, which needs no
    address to be shown), and named in `redacted`."""
    hidden = policy.hidden_from(principal)
    details = dict(entry.details)
    removed: set[str] = set()
    for part in _RECORD_PARTS:
        fields = details.get(part)
        if isinstance(fields, dict) and hidden & fields.keys():
            removed |= hidden & fields.keys()
            details[part] = {k: v for k, v in fields.items() if k not in hidden}
    if not removed:
        return entry
    return entry.model_copy(update={"details": details, "redacted": sorted(removed)})


def redacted_log(
    connection: Connection, principal: Principal, wanted: LogFilter, policy: RestrictionPolicy
) -> Iterator[LoggedEntry]:
    for entry in read_log(connection, wanted):
        yield redact_entry(principal, entry, policy)


def read_entries(
    connection: Connection,
    auditor: Auditor,
    wanted: LogFilter,
    policy: RestrictionPolicy,
    limit: int = 100,
) -> AuditPage:
    """One page of the entries matching `wanted`, oldest first, after `wanted.after_seq`,
    without the restricted fields the reader may not see."""
    authorize_read_audit(auditor.principal)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit: 1 to {MAX_PAGE}")
    found = list(
        redacted_log(connection, auditor.principal, replace(wanted, limit=limit + 1), policy)
    )
    entries = found[:limit]
    auditor.record(
        connection,
        AuditEvent(
            "audit.read",
            target=wanted.reference or wanted.user,
            references=[wanted.reference] if wanted.reference else [],
            details={"filters": _filters(wanted), "entries": len(entries)},
        ),
    )
    return AuditPage(entries, entries[-1].seq if len(found) > limit else None)


def check_recipient(recipient: str) -> str:
    """Who receives a disclosure, as the audit trail will name them."""
    named = recipient.strip()
    if not named or len(named) > 200 or any(ord(c) < 32 or ord(c) == 0x7F for c in named):
        raise InvalidInput("recipient: name who receives the export (1 to 200 characters)")
    return named


def record_disclosure(
    connection: Connection,
    auditor: Auditor,
    recipient: str,
    format: str,
    wanted: LogFilter,
    entries: int,
    sha256: str,
    purpose: str | None,
) -> None:
    """The export handed to `recipient`, as the disclosure entry that records it."""
    authorize_read_audit(auditor.principal)
    auditor.record(
        connection,
        AuditEvent(
            "audit.export",
            target=recipient,
            purpose=purpose,
            references=[wanted.reference] if wanted.reference else [],
            details={
                "recipient": recipient,
                "format": format,
                "filters": _filters(wanted),
                "entries": entries,
                "sha256": sha256,
            },
        ),
    )
