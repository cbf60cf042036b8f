"""Audited changes to nominals: authorized, written and recorded in the audit trail in one
transaction, so that there is no change without its entry. The CLI calls these today; the
register's API routes will be thin layers over the same functions."""

from typing import Any

from sqlalchemy import Connection

from register import store
from register.audit import AuditEvent, Auditor
from register.model import NominalRecord, Status
from register.permissions import authorize_change, authorize_view
from register.store import Outcome, Written


def change_event(written: Written, **details: Any) -> AuditEvent:
    """The entry for one record written: its version and, field by field, before and after
    (the whole record for a creation)."""
    if written.outcome is Outcome.CREATED:
        action, changes = "nominal.create", {"after": written.after}
    else:
        before, after = written.before or {}, written.after
        action = "nominal.update"
        changes = {
            "before": {f: before[f] for f in written.changed_fields if f in before},
            "after": {f: after[f] for f in written.changed_fields if f in after},
        }
    return AuditEvent(
        action,
        target=written.reference,
        references=[written.reference],
        details={
            "version": written.version,
            "changed_fields": written.changed_fields,
            **changes,
            **details,
        },
    )


def set_status(
    connection: Connection,
    auditor: Auditor,
    reference: str,
    status: Status,
    reason: str,
    on_behalf_of: str | None = None,
) -> NominalRecord:
    """Archive or restore a nominal, if the actor may change it."""
    before = store.get_record(connection, reference)
    authorize_change(auditor.principal, before)
    actor = on_behalf_of or auditor.principal.username
    after = store.set_status(connection, reference, status, actor, reason)
    version = store.find_existing(connection, [reference])[reference].version
    auditor.record(
        connection,
        AuditEvent(
            "nominal.archive" if status == "archived" else "nominal.restore",
            target=reference,
            references=[reference],
            details={
                "version": version,
                "reason": reason,
                "before": {"status": before.status},
                "after": {"status": after.status},
                **({"on_behalf_of": on_behalf_of} if on_behalf_of else {}),
            },
        ),
    )
    return after


def view(
    connection: Connection, auditor: Auditor, reference: str, purpose: str | None
) -> NominalRecord:
    """Read one nominal for a person, recorded as a view with its purpose."""
    record = store.get_record(connection, reference)
    authorize_view(auditor.principal, record)
    auditor.record(
        connection,
        AuditEvent("nominal.view", target=reference, purpose=purpose, references=[reference]),
    )
    return record


def view_history(
    connection: Connection, auditor: Auditor, reference: str, purpose: str | None
) -> list[store.VersionEntry]:
    record = store.get_record(connection, reference)
    authorize_view(auditor.principal, record)
    entries = store.history(connection, reference)
    auditor.record(
        connection,
        AuditEvent("nominal.history", target=reference, purpose=purpose, references=[reference]),
    )
    return entries
