"""The photo-quality and compliance audits as JSON, for the web UI and outside tools: the same
object `visor audit photos|compliance --json` prints (audits/reports.py builds both), under
the same rule as the dashboards (an auditor reads their own agency's work list unless their
agency is granted the national view), and recorded in the audit trail as `audit.report`."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from api import context
from api.auth import SignedIn
from audits.compliance import ComplianceAudit
from audits.photo_audit import PhotoAudit
from audits.reports import AuditKind, check_as_of, read_audit_report
from visor.quality_audit_commands import audit_policy

router = APIRouter(prefix="/api/v1/audits", tags=["audits"])

Agency = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=32,
        description="the managing agency (code) whose nominals are audited; by default the "
        "caller's own, or every agency's for an auditor with the national view",
    ),
]
AsOf = Annotated[
    dt.date | None,
    Query(description="the day ages and review dates are counted to (default today)"),
]


def _report(
    request: Request, caller: SignedIn, kind: AuditKind, agency: str | None, as_of: dt.date | None
) -> PhotoAudit | ComplianceAudit:
    settings = context.settings(request)
    return read_audit_report(
        context.services(request).engine,
        caller.auditor,
        kind,
        audit_policy(settings),
        check_as_of(as_of or dt.date.today(), "as_of"),
        agency,
        settings.audit_national_agencies,
    )


@router.get("/photos", response_model=PhotoAudit)
def photo_audit(
    request: Request, caller: SignedIn, agency: Agency = None, as_of: AsOf = None
) -> PhotoAudit | ComplianceAudit:
    """Flagged photos (blurry, dark, faceless, duplicate...) and nominals (no face photo,
    stale), most severe first, with the summary by flag and by agency (docs/audits.md)."""
    return _report(request, caller, "photos", agency, as_of)


@router.get("/compliance", response_model=ComplianceAudit)
def compliance_audit(
    request: Request, caller: SignedIn, agency: Agency = None, as_of: AsOf = None
) -> PhotoAudit | ComplianceAudit:
    """Records flagged for overdue MAPPA reviews, missing fields, wanted/missing markers and
    partner agencies that do not contribute, most severe first (docs/audits.md)."""
    return _report(request, caller, "compliance", agency, as_of)
