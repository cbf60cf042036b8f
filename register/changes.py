"""Audited changes to nominals: authorized, written and recorded in the audit trail in one
transaction, so that there is no change without its entry. The CLI calls these today; the
register's API routes will be thin layers over the same functions."""

from typing import Any

from sqlalchemy import Connection

from foundation.errors import Conflict, InvalidInput, StaleVersion
from register import store
from register.audit import AuditEvent, Auditor
from register.model import NominalRecord, Status
from register.permissions import authorize_change, authorize_create, authorize_view
from register.store import Incoming, Outcome, Written


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


def create(
    connection: Connection, auditor: Auditor, record: NominalRecord, reason: str | None = None
) -> Written:
    """Add a new nominal, managed by the creator's agency (an operator may name any)."""
    authorize_create(auditor.principal, record.managing_agency)
    if store.find_existing(connection, [record.reference]):
        raise Conflict(f"{record.reference} already exists: read it and replace it instead")
    written = store.write_records(
        connection, [Incoming(record)], actor=auditor.principal.username, reason=reason
    )[0]
    auditor.record(connection, change_event(written))
    return written


# Who manages a nominal and who partners it change only through their own requests
# (register/partnerships.py), granted by the agency concerned, never by editing the record.
MANAGED_THROUGH_REQUESTS = ("managing_agency", "partner_agencies")


def replace(
    connection: Connection,
    auditor: Auditor,
    record: NominalRecord,
    expected_version: int,
    reason: str | None = None,
) -> Written:
    """Replace a nominal with a whole new record, if it is still at `expected_version`: a
    stale write raises StaleVersion and changes nothing."""
    current_version = store.lock_version(connection, record.reference)
    before = store.get_record(connection, record.reference)
    authorize_change(auditor.principal, before)
    if current_version != expected_version:
        raise StaleVersion(record.reference, expected_version, current_version)
    for field in MANAGED_THROUGH_REQUESTS:
        if getattr(record, field) != getattr(before, field):
            raise InvalidInput(
                f"{field} changes through a partnership or transfer request, not an edit"
            )
    written = store.write_records(
        connection, [Incoming(record)], actor=auditor.principal.username, reason=reason
    )[0]
    if written.outcome is not Outcome.UNCHANGED:
        auditor.record(connection, change_event(written))
    return written


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
