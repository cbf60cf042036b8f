"""Audited changes to nominals: authorized, written and recorded in the audit trail in one
transaction, so that there is no change without its entry. The CLI calls these today; the
register's API routes will be thin layers over the same functions."""

from typing import Any

from sqlalchemy import Connection

from foundation.errors import Conflict, InvalidInput, StaleVersion
from register import store
from register.audit import AuditEvent, Auditor
from register.model import NominalRecord, Status, to_document
from register.permissions import (
    RestrictionPolicy,
    authorize_change,
    authorize_create,
    authorize_search,
    authorize_view,
    keep_hidden_fields,
    refuse_hidden_fields,
)
from register.store import Incoming, Outcome, Written
from register.validation import check_document

# The lists of a nominal one item at a time may be added to (the API's sub-resources).
APPENDABLE = ("marks", "modus_operandi", "offences", "addresses", "associates")
ALL_VISIBLE = RestrictionPolicy(fields=frozenset())
# The audit actions that write a new version of a nominal: the register's consistency check
# and the compliance audit's "contributed" both read the trail by these names.
CREATED, UPDATED, ARCHIVED, RESTORED = (
    "nominal.create",
    "nominal.update",
    "nominal.archive",
    "nominal.restore",
)
VERSION_ACTIONS = (CREATED, UPDATED, ARCHIVED, RESTORED)


def change_event(written: Written, **details: Any) -> AuditEvent:
    """The entry for one record written: its version and, field by field, before and after
    (the whole record for a creation)."""
    if written.outcome is Outcome.CREATED:
        action, changes = CREATED, {"after": written.after}
    else:
        before, after = written.before or {}, written.after
        action = UPDATED
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
    connection: Connection,
    auditor: Auditor,
    record: NominalRecord,
    reason: str | None = None,
    policy: RestrictionPolicy = ALL_VISIBLE,
) -> Written:
    """Add a new nominal, managed by the creator's agency (an operator may name any): a
    record that names no managing agency is given the creator's."""
    principal = auditor.principal
    if record.managing_agency is None and principal.agency is not None:
        record = record.model_copy(update={"managing_agency": principal.agency})
    authorize_create(principal, record.managing_agency)
    refuse_hidden_fields(principal, record.model_fields_set, policy)
    if record.photos:
        raise InvalidInput("photos: create the nominal first, then upload its photos")
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
# Photos are added by uploading them through the imaging pipeline, which stores the blob a
# photo entry points at; an edited entry could point at nothing.
PHOTOS = "photos"


def replace(
    connection: Connection,
    auditor: Auditor,
    record: NominalRecord,
    expected_version: int,
    reason: str | None = None,
    policy: RestrictionPolicy = ALL_VISIBLE,
) -> Written:
    """Replace a nominal with a whole new record, if it is still at `expected_version`: a
    stale write raises StaleVersion and changes nothing. Fields `policy` hides from the
    writer are kept as stored (and may not be sent)."""
    before = _locked_for_change(connection, auditor, record.reference, expected_version)
    record = keep_hidden_fields(auditor.principal, record, before, policy)
    return _write_replacement(connection, auditor, before, record, reason)


def append(
    connection: Connection,
    auditor: Auditor,
    reference: str,
    field: str,
    item: Any,
    expected_version: int,
    policy: RestrictionPolicy = ALL_VISIBLE,
    reason: str | None = None,
) -> Written:
    """Add one item (a mark, an MO, an offence, an address, an associate) to a nominal at
    `expected_version`; the record with it must still be a valid NIF record."""
    if field not in APPENDABLE:
        raise InvalidInput(f"{field}: not a list items are added to ({', '.join(APPENDABLE)})")
    before = _locked_for_change(connection, auditor, reference, expected_version)
    refuse_hidden_fields(auditor.principal, [field], policy)
    document = to_document(before)
    document[field] = [*document.get(field, []), item]
    checked = check_document(document)
    if checked.record is None:
        hidden = policy.hidden_from(auditor.principal)
        # The record checked holds fields the writer may not see: their reasons (which may
        # quote their values) are not told.
        told = [r for r in checked.reasons if r.split(":", 1)[0].split("[")[0] not in hidden]
        if len(told) < len(checked.reasons):
            told.append("a field you may not see fails a check: ask someone who may")
        raise InvalidInput("; ".join(told))
    return _write_replacement(connection, auditor, before, checked.record, reason)


def _locked_for_change(
    connection: Connection, auditor: Auditor, reference: str, expected_version: int
) -> NominalRecord:
    """The stored record, locked, if the actor may change it and it is still at
    `expected_version`."""
    current_version = store.lock_version(connection, reference)
    before = store.get_record(connection, reference)
    authorize_change(auditor.principal, before)
    if current_version != expected_version:
        raise StaleVersion(reference, expected_version, current_version)
    return before


def _write_replacement(
    connection: Connection,
    auditor: Auditor,
    before: NominalRecord,
    record: NominalRecord,
    reason: str | None,
) -> Written:
    for field in MANAGED_THROUGH_REQUESTS:
        if getattr(record, field) != getattr(before, field):
            raise InvalidInput(
                f"{field} changes through a partnership or transfer request, not an edit"
            )
    if record.photos != before.photos:
        raise InvalidInput(
            "photos: send them as the register holds them (photos are added by upload)"
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
            ARCHIVED if status == "archived" else RESTORED,
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


def list_references(
    connection: Connection,
    auditor: Auditor,
    after: str | None,
    limit: int,
    purpose: str | None,
) -> list[str]:
    """A page of references in order, after `after`: a consultation of the register,
    recorded with the references it returned."""
    authorize_search(auditor.principal)
    references = store.references_after(connection, after, limit)
    auditor.record(
        connection,
        AuditEvent(
            "nominal.list",
            target=after or "",
            purpose=purpose,
            references=references,
            details={"after": after, "limit": limit},
        ),
    )
    return references


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
