"""An audit report read by someone: the photo-quality or compliance audit of the work list
they may see (register/permissions.audit_report_scope), built from one consistent state of
the register and recorded in the audit trail as `audit.report`. The CLI (`visor audit
photos|compliance`), the JSON API (`/api/v1/audits/...`) and the web dashboards all read
reports through `read_audit_report`, so they show the same thing under the same rule."""

import datetime as dt
from typing import Literal

from sqlalchemy import Connection, Engine, select

from audits.compliance import ComplianceAudit, audit_compliance
from audits.photo_audit import PhotoAudit, audit_photos
from audits.policy import AuditPolicy
from foundation.errors import InvalidInput
from register import tables
from register.agencies import find_agency
from register.audit import AuditEvent, Auditor
from register.database import snapshot
from register.permissions import audit_report_scope

AuditKind = Literal["photos", "compliance"]
EARLIEST_AS_OF = dt.date(1900, 1, 1)


def check_as_of(day: dt.date, name: str) -> dt.date:
    """The day an audit counts ages and review dates to: not in the future (nothing is known
    of it) nor before the register's earliest dates."""
    if not EARLIEST_AS_OF <= day <= dt.date.today():
        raise InvalidInput(f"{name} must be between {EARLIEST_AS_OF} and today")
    return day


def build_audit(
    connection: Connection, kind: AuditKind, policy: AuditPolicy, as_of: dt.date, agency: str | None
) -> PhotoAudit | ComplianceAudit:
    if kind == "photos":
        return audit_photos(connection, policy, as_of, agency)
    return audit_compliance(connection, policy, as_of, agency)


def _flagged(audit: PhotoAudit | ComplianceAudit) -> int:
    if isinstance(audit, PhotoAudit):
        return audit.summary.photos_flagged + audit.summary.nominals_flagged
    return int(audit.summary["records_flagged"])


def _known_agency(connection: Connection, code: str) -> bool:
    """A registered agency, or the managing agency of some nominal (a bundle may name one
    that was never registered): anything else is a mistyped code, not an empty work list."""
    if find_agency(connection, code) is not None:
        return True
    managed = select(tables.nominals.c.id).where(tables.nominals.c.managing_agency == code)
    return connection.execute(managed.limit(1)).first() is not None


def read_audit_report(
    engine: Engine,
    auditor: Auditor,
    kind: AuditKind,
    policy: AuditPolicy,
    as_of: dt.date,
    agency: str | None,
    national_agencies: tuple[str, ...],
) -> PhotoAudit | ComplianceAudit:
    """The report of `agency`'s nominals (None: every agency's, or the reader's own when they
    do not have the national view); raises `Forbidden` for an agency they may not see and
    `InvalidInput` for one that does not exist."""
    scope = audit_report_scope(auditor.principal, agency, national_agencies)
    with snapshot(engine) as connection:
        if scope is not None and not _known_agency(connection, scope):
            raise InvalidInput(f"agency: no agency {scope}")
        audit = build_audit(connection, kind, policy, as_of, scope)
    # Recorded after the snapshot, in a transaction of its own: appending locks the chain's
    # head, which a repeatable-read snapshot must not hold while the audit is built. The
    # report is handed over only once the entry is committed.
    with engine.begin() as connection:
        auditor.record(
            connection,
            AuditEvent(
                "audit.report",
                target=kind,
                details={
                    "agency": scope,
                    "as_of": as_of.isoformat(),
                    "flagged": _flagged(audit),
                },
            ),
        )
    return audit
